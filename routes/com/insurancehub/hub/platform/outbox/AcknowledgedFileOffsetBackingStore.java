package com.insurancehub.hub.platform.outbox;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * Debezium's file offset store, with one rule added: an offset is written only once every event the relay has
 * handed to Kafka is acknowledged, and never after a record a stopping relay dropped
 * ({@link OutboxPublisher#offsetsMayBeStored}); an offset not written is an offset replayed from at the next start.
 *
 * <p>Debezium writes offsets on its own schedule ({@code offsetFlushIntervalMs}) and when the relay stops; both
 * go through {@link #set}. Hooking the store rather than the commit policy covers both paths. Debezium creates
 * the store by class name with a no-argument constructor, hence the converter built here (the one Debezium
 * itself gives its file store).
 */
public class AcknowledgedFileOffsetBackingStore extends FileOffsetBackingStore {

    private String file;

    public AcknowledgedFileOffsetBackingStore() {
        super(keyConverter());
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        file = config.getString(StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG);
    }

    private static JsonConverter keyConverter() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), true);
        return converter;
    }

    @Override
    public synchronized void start() {
        super.start();
        OutboxPublisher.relayStarting(file);
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        if (!OutboxPublisher.offsetsMayBeStored(file)) {
            if (callback != null) {
                callback.onCompletion(null, null);
            }
            return CompletableFuture.completedFuture(null);
        }
        return super.set(values, callback);
    }
}
