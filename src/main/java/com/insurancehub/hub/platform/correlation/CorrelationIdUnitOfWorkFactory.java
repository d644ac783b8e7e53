package com.insurancehub.hub.platform.correlation;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.impl.engine.DefaultUnitOfWork;
import org.apache.camel.spi.InflightRepository;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.slf4j.MDC;

/**
 * Gives every exchange of the hub its correlation id, once, where the exchange begins: Camel creates one unit of work
 * per exchange entering the hub (an HTTP request, a Kafka record, a timer's tick), before any route step runs.
 *
 * <ul>
 *   <li>The {@value CorrelationId#HEADER} header is kept when well formed (an HTTP request's, set by
 *       {@link CorrelationIdFilter}; a Kafka record's, whose bytes become a String here so that HTTP calls send it
 *       as text) and replaced by a new id otherwise: an exchange that starts the hub's work (a schedule, a record
 *       without the header) gets one. The routes keep the header through their header clean-ups, so it goes with
 *       every call to a system and every event the kamelets publish.</li>
 *   <li>It is done before Camel keeps the original message, so a dead letter (useOriginalMessage) carries it too.</li>
 *   <li>The exchange's thread logs with it (MDC {@value CorrelationId#MDC_KEY}) until the exchange is done.</li>
 * </ul>
 *
 * <p>Why not Camel's MDC logging: both {@code camel.main.use-mdc-logging} and camel-mdc set and clear their MDC
 * entries around every processor of every route, which the outbox relay would pay on each of its thousands of rows
 * per second, and neither puts an id of ours there. This costs one header read per exchange and two MDC writes.
 * The outbox relay's Debezium exchanges are left alone (no header, nothing done): the relay copies the id from the
 * outbox row to the Kafka header, that is all.
 *
 * <p>Known limit: work Camel hands to another thread pool (a circuit breaker's timed call, a saga coordinator's
 * callback) logs without the MDC entry; the header still goes with the call.
 */
public class CorrelationIdUnitOfWorkFactory implements UnitOfWorkFactory {

    @Override
    public UnitOfWork createUnitOfWork(Exchange exchange) {
        String id = adopt(exchange);
        CamelContext context = exchange.getContext();
        boolean allowUseOriginalMessage = Boolean.TRUE.equals(context.isAllowUseOriginalMessage());
        boolean useBreadcrumb = Boolean.TRUE.equals(context.isUseBreadcrumb());
        if (id == null) {
            return new DefaultUnitOfWork(exchange, context.getInflightRepository(), allowUseOriginalMessage, useBreadcrumb);
        }
        return new CorrelatedUnitOfWork(exchange, context.getInflightRepository(), allowUseOriginalMessage,
                useBreadcrumb, id);
    }

    /** The exchange's id, its header set to it; null for an exchange that neither has one nor starts work. */
    static String adopt(Exchange exchange) {
        Message in = exchange.getIn();
        Object raw = in.getHeader(CorrelationId.HEADER);
        String id = CorrelationId.valid(raw);
        if (id == null) {
            if (!startsWork(exchange)) {
                if (raw != null) {
                    in.removeHeader(CorrelationId.HEADER);
                }
                return null;
            }
            id = CorrelationId.newId();
        }
        if (raw != id) {
            in.setHeader(CorrelationId.HEADER, id);
        }
        return id;
    }

    /**
     * Exchanges made by a consumer (HTTP, Kafka, timers) start work; the outbox relay's Debezium exchanges do not:
     * the id they relay is the one stored with the row. Exchanges sent from code (no consumer) keep what they carry.
     */
    private static boolean startsWork(Exchange exchange) {
        Endpoint from = exchange.getFromEndpoint();
        return from != null && !from.getEndpointUri().startsWith("debezium");
    }

    private static final class CorrelatedUnitOfWork extends DefaultUnitOfWork {
        private final String previous;
        private final Thread thread;

        CorrelatedUnitOfWork(Exchange exchange, InflightRepository inflightRepository, boolean allowUseOriginalMessage,
                             boolean useBreadcrumb, String id) {
            super(exchange, inflightRepository, allowUseOriginalMessage, useBreadcrumb);
            this.previous = MDC.get(CorrelationId.MDC_KEY);
            this.thread = Thread.currentThread();
            MDC.put(CorrelationId.MDC_KEY, id);
        }

        @Override
        protected void onDone() {
            super.onDone();
            // an exchange completed on another thread leaves that thread's MDC alone; its own thread's next
            // exchange sets its own id
            if (Thread.currentThread() == thread) {
                CorrelationId.restore(previous);
            }
        }
    }
}
