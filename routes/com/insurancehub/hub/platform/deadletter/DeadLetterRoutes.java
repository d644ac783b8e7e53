package com.insurancehub.hub.platform.deadletter;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * R03/R04 - the DLQ API. Every consumer's failures end on {@code <topic>.dlq} with the reason (route configuration
 * {@code kafka-consumer-errors}); here they are kept in {@code hub.dead_letters} and offered to operators: list them
 * (topic, key, reason, time), replay one or all once the cause is fixed.
 *
 * <p>Replay republishes the original record (same key, value, eventType and trace headers) to its original topic:
 * every consumer group of that topic sees it again. That is safe because every consumer is idempotent by eventId
 * ({@code processedEvents}, recorded only after the effect): the groups that handled the event skip it, the route
 * that failed handles it. A replay aimed at the failed route's group only would need a per-route replay topic for
 * every consumer; the republish keeps one path and one order per key. See {@link DeadLetters} for "once".
 */
@Component
public class DeadLetterRoutes extends RouteBuilder {

    private final DeadLetters deadLetters;

    public DeadLetterRoutes(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    static final String STORE = """
            INSERT INTO hub.dead_letters (dlq_topic, dlq_partition, dlq_offset, topic, original_partition, original_offset,
                                          record_key, event_type, event_id, headers, value, reason, exception,
                                          failed_route, failed_at)
            VALUES (:?dlTopic, :?dlPartition, :?dlOffset, :?dlOriginalTopic, CAST(:?dlOriginalPartition AS integer),
                    CAST(:?dlOriginalOffset AS bigint), :?dlKey, :?dlEventType, :?dlEventId, CAST(:?dlHeaders AS jsonb),
                    :?dlValue, :?dlReason, :?dlException, :?dlFailedRoute, CAST(:?dlFailedAt AS timestamptz))
            ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO NOTHING""";

    static final String LIST = """
            SELECT COALESCE(json_agg(json_build_object(
                       'id', id, 'topic', topic, 'partition', original_partition, 'offset', original_offset,
                       'key', record_key, 'eventType', event_type, 'eventId', event_id, 'reason', reason,
                       'exception', exception, 'failedRoute', failed_route, 'failedAt', failed_at,
                       'dlqTopic', dlq_topic, 'status', status, 'replayedAt', replayed_at) ORDER BY id), '[]'::json)::text AS list
            FROM (SELECT * FROM hub.dead_letters
                  WHERE (CAST(:?status AS text) = '' OR status = CAST(:?status AS text))
                    AND (CAST(:?topic AS text) = '' OR topic = CAST(:?topic AS text) OR dlq_topic = CAST(:?topic AS text))
                  ORDER BY id DESC LIMIT 1000) newest""";

    static final String ONE = """
            SELECT json_build_object('id', id, 'topic', topic, 'partition', original_partition, 'offset', original_offset,
                       'key', record_key, 'eventType', event_type, 'eventId', event_id, 'reason', reason,
                       'exception', exception, 'failedRoute', failed_route, 'failedAt', failed_at, 'dlqTopic', dlq_topic,
                       'status', status, 'replayedAt', replayed_at, 'headers', headers, 'value', value)::text AS one
            FROM hub.dead_letters WHERE id = CAST(:?id AS bigint)""";

    @Override
    public void configure() {
        // A dead letter is never skipped: when the database is unavailable the store waits and tries again
        // (no DLQ of the DLQ: a "<topic>.dlq.dlq" would match the pattern and loop)
        from("kafka:{{hub.dead-letters.topic-pattern}}?topicIsPattern=true"
                + "&groupId={{hub.consumer.group-prefix}}dead-letter-topics-to-store&autoOffsetReset=earliest"
                + "&metadataMaxAgeMs={{hub.dead-letters.topic-refresh-interval}}")
                .routeId("dead-letter-topics-to-store")
                .description("R03, R04 - keep every record of every <topic>.dlq in hub.dead_letters, with its reason")
                .errorHandler(defaultErrorHandler().maximumRedeliveries(-1)
                        .redeliveryDelay(Long.parseLong(
                                getContext().resolvePropertyPlaceholders("{{hub.dead-letters.store-retry-delay}}")))
                        .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN))
                .convertBodyTo(String.class)
                .bean(deadLetters, "toRow")
                .setBody(constant(STORE))
                .to("jdbc:dataSource?useHeadersAsParameters=true").id("store-dead-letter")
                // O02: hub_dead_letters_new_total{topic}, once per dead letter (a redelivered one inserts nothing)
                .filter(header("CamelJdbcUpdateCount").isEqualTo(1))
                    .to("micrometer:counter:hub.dead-letters.new?tags=topic=${header.dlTopic}").id("count-new-dead-letter")
                .end();

        rest("/api/dead-letters").description("R03, R04 - dead letters: list, replay")
                .get().id("get-dead-letters").routeId("get-dead-letters-api").produces("application/json")
                    .to("direct:list-dead-letters")
                .get("/{id}").id("get-dead-letter").routeId("get-dead-letter-api").produces("application/json")
                    .to("direct:get-dead-letter")
                .post("/{id}/replay").id("replay-dead-letter").routeId("replay-dead-letter-api")
                    .produces("application/json").to("direct:replay-dead-letter")
                .post("/replay").id("replay-dead-letters").routeId("replay-dead-letters-api")
                    .produces("application/json").to("direct:replay-dead-letters");

        from("direct:list-dead-letters")
                .routeId("list-dead-letters")
                .routeConfigurationId("rest-problem-details")
                .description("R03, R04 - dead letters, newest 1000, by status (NEW, REPLAYED) and original topic")
                .process(e -> {
                    for (String name : new String[] {"status", "topic"}) {
                        if (e.getMessage().getHeader(name) == null) {
                            e.getMessage().setHeader(name, "");
                        }
                    }
                })
                .setBody(constant(LIST))
                .to("jdbc:dataSource?useHeadersAsParameters=true").id("read-dead-letters")
                .setBody(simple("${body[0][list]}"))
                .removeHeaders("*")
                .setHeader("Content-Type", constant("application/json"));

        from("direct:get-dead-letter")
                .routeId("get-dead-letter")
                .routeConfigurationId("rest-problem-details")
                .description("R03, R04 - one dead letter with its record (headers, value)")
                .choice()
                    .when(simple("${header.id} !regex '[0-9]{1,18}'"))
                        .throwException(new java.util.NoSuchElementException("no such dead letter"))
                .end()
                .setBody(constant(ONE))
                .to("jdbc:dataSource?useHeadersAsParameters=true").id("read-dead-letter")
                .choice()
                    .when(simple("${body.isEmpty()}"))
                        .throwException(new java.util.NoSuchElementException("no such dead letter"))
                .end()
                .setBody(simple("${body[0][one]}"))
                .removeHeaders("*")
                .setHeader("Content-Type", constant("application/json"));

        from("direct:replay-dead-letter")
                .routeId("replay-dead-letter")
                .routeConfigurationId("rest-problem-details")
                .description("R03, R04 - replay one dead letter to its original topic, once")
                .choice()
                    .when(simple("${header.id} !regex '[0-9]{1,18}'"))
                        .throwException(new java.util.NoSuchElementException("no such dead letter"))
                .end()
                .bean(deadLetters, "replayOne").id("republish-dead-letter")
                .choice()
                    .when(variable("problem.status").isNotNull())
                        .to("direct:problem-response")
                    .otherwise()
                        .removeHeaders("*")
                        .setHeader("Content-Type", constant("application/json"))
                .end();

        from("direct:replay-dead-letters")
                .routeId("replay-dead-letters")
                .routeConfigurationId("rest-problem-details")
                .description("R03, R04 - replay every NEW dead letter (of one original topic if ?topic=), each once")
                .bean(deadLetters, "replayAll").id("republish-dead-letters")
                .removeHeaders("*")
                .setHeader("Content-Type", constant("application/json"));
    }
}
