package com.insurancehub.hub.platform.live;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Hands the tap's events to the viewers' SSE streams (event {@code flow}) and, every {@code metricsInterval} ms, the
 * gauges (event {@code metrics}), on one thread that runs only while someone watches. At most {@code maxViewers}
 * streams at a time.
 */
public class LiveEventStream {

    private static final Logger LOG = LoggerFactory.getLogger(LiveEventStream.class);
    private final LiveEventTap tap;
    private final LiveMetrics metrics;
    private final int maxViewers;
    private final long metricsInterval;
    private final List<SseEmitter> viewers = new CopyOnWriteArrayList<>();
    private Thread dispatcher;

    public LiveEventStream(LiveEventTap tap, LiveMetrics metrics, int maxViewers, long metricsInterval) {
        this.tap = tap;
        this.metrics = metrics;
        this.maxViewers = maxViewers;
        this.metricsInterval = metricsInterval;
    }

    /** A new viewer's stream, or null when {@code maxViewers} already watch. */
    public synchronized SseEmitter open(long timeoutMillis) {
        if (viewers.size() >= maxViewers) {
            return null;
        }
        SseEmitter emitter = new SseEmitter(timeoutMillis);
        viewers.add(emitter);
        tap.watch(true);
        Runnable close = () -> close(emitter);
        emitter.onCompletion(close);
        emitter.onTimeout(close);
        emitter.onError(failure -> close(emitter));
        send(emitter, "metrics", metrics.snapshot(tap));
        if (dispatcher == null) {
            dispatcher = new Thread(this::dispatch, "live-view");
            dispatcher.setDaemon(true);
            dispatcher.start();
        }
        return emitter;
    }

    /** The hub stops: every stream ends now, so that the web server's graceful shutdown does not wait for them. */
    @EventListener(ContextClosedEvent.class)
    public void closeAll() {
        viewers.forEach(viewer -> {
            viewer.complete();
            close(viewer);
        });
    }

    private synchronized void close(SseEmitter emitter) {
        if (viewers.remove(emitter)) {
            tap.watch(false);
        }
    }

    private void dispatch() {
        long nextMetrics = System.currentTimeMillis() + metricsInterval;
        try {
            while (true) {
                synchronized (this) {
                    if (viewers.isEmpty()) {
                        dispatcher = null;
                        return;
                    }
                }
                LiveEvent event = tap.next(Math.max(1, nextMetrics - System.currentTimeMillis()));
                if (event != null) {
                    viewers.forEach(viewer -> send(viewer, "flow", event));
                }
                if (System.currentTimeMillis() >= nextMetrics) {
                    Object snapshot = metrics.snapshot(tap);
                    viewers.forEach(viewer -> send(viewer, "metrics", snapshot));
                    nextMetrics = System.currentTimeMillis() + metricsInterval;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("Live view stopped: {}", e.toString());
            synchronized (this) {
                dispatcher = null;
            }
        }
    }

    private void send(SseEmitter viewer, String name, Object data) {
        try {
            viewer.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException gone) {
            viewer.completeWithError(gone);
            close(viewer);
        }
    }
}
