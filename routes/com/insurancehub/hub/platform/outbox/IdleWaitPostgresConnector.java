package com.insurancehub.hub.platform.outbox;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

import io.debezium.config.Configuration;
import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's PostgreSQL connector, whose task waits for changes asleep instead of spinning.
 * <p>
 * Debezium's change queue collects a batch for {@code poll.interval.ms} and rounds its remaining wait down to whole
 * milliseconds: the last millisecond of every poll is a busy loop (it calls the clock and two debug logs until the
 * millisecond turns). At the relays' 25 ms that is up to 4 % of a core per engine, idle or not; the hub runs five
 * engines (four outboxes and the business change capture), and at 100 quotes/s their polling threads were the hub's
 * largest single cost: 0.12 cores, a sixteenth of this 2-core machine, for relays with nothing to relay
 * (docs/performance.md, issue 11).
 * <p>
 * This task lets Debezium's poll run only once its queue holds a change; while the queue is empty it sleeps, looking
 * again every {@link #IDLE_STEP} ms, and returns an empty batch after {@link #IDLE_WAIT} ms. Debezium's poll then
 * collects for its {@code poll.interval.ms} (the batch window: what arrives within it joins the batch; a full batch
 * returns at once). A change waits at most one idle step plus the window, and a sleeping thread costs next to nothing
 * where the busy wait cost up to 1 ms per poll. So that a failure of Debezium's reader (kept in the queue, thrown by
 * its poll) is seen while the relay is idle too, Debezium's own poll also runs once a second ({@link #FAILURE_CHECK}).
 * <p>
 * Chosen with {@code connector.class} by {@link OutboxRelayEndpoint} when the relay's options carry {@link #IDLE_WAIT}.
 */
public class IdleWaitPostgresConnector extends PostgresConnector {

    /** How long (ms) an idle task waits for a change before it returns an empty batch. */
    public static final String IDLE_WAIT = "insurance.idle.wait.ms";
    /** How long (ms) an idle task sleeps between two looks at its queue. */
    static final long IDLE_STEP = 5;
    /** How often (ns) at the most an idle task lets Debezium's poll run anyway, to surface a failure of its reader. */
    static final long FAILURE_CHECK = 1_000_000_000L;

    @Override
    public Class<? extends Task> taskClass() {
        return IdleWaitTask.class;
    }

    /** The task: Debezium's, with an idle wait in front of its poll. */
    public static class IdleWaitTask extends PostgresConnectorTask {

        /** The task's change queue: private in Debezium, created anew by each (re)start of the task. */
        private static final VarHandle QUEUE;

        static {
            try {
                QUEUE = MethodHandles.privateLookupIn(PostgresConnectorTask.class, MethodHandles.lookup())
                        .findVarHandle(PostgresConnectorTask.class, "queue", ChangeEventQueue.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError("Debezium's PostgresConnectorTask has no change queue field 'queue' "
                        + "any more: remove " + IdleWaitPostgresConnector.class.getName() + " or adapt it (" + e + ")");
            }
        }

        private volatile long idleWaitNanos = 25_000_000L;
        private long lastDebeziumPoll = System.nanoTime();

        @Override
        public ChangeEventSourceCoordinator start(Configuration config) {
            idleWaitNanos = Math.max(1, config.getLong(IDLE_WAIT, 25)) * 1_000_000L;
            return super.start(config);
        }

        @Override
        public List<SourceRecord> doPoll() throws InterruptedException {
            ChangeEventQueue<?> queue = (ChangeEventQueue<?>) QUEUE.getVolatile((PostgresConnectorTask) this);
            if (queue != null) {
                long start = System.nanoTime();
                for (long now = start; isEmpty(queue) && now - lastDebeziumPoll < FAILURE_CHECK; now = System.nanoTime()) {
                    if (now - start >= idleWaitNanos) {
                        return List.of();
                    }
                    Thread.sleep(IDLE_STEP);
                }
            }
            lastDebeziumPoll = System.nanoTime();
            return super.doPoll();
        }

        private static boolean isEmpty(ChangeEventQueue<?> queue) {
            return queue.remainingCapacity() == queue.totalCapacity();
        }
    }
}
