package com.insurancehub.hub.policy;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * D09 + R02 - the hub's replica of PAS policies ({@code hub.policy_replica}), fed by CDC: PAS's outbox relayed by
 * Debezium to {@code insurance.policy.events}, every policy event carrying the policy's snapshot. F06's coverage
 * check reads it when PAS is down.
 *
 * <p>Per-aggregate order (R02): the database function {@code hub.apply_policy_event} (Flyway V4) applies an event
 * only when its aggregateVersion follows the replica's (or it is the policy's first event); an older or equal
 * version changes nothing (idempotent); a gap is parked in {@code hub.parked_events} with the reason and applied as
 * soon as the missing version arrives (resequencing). One statement, so one transaction: the replica row and the
 * parked rows never disagree, whatever fails. Operators see the parked events at {@code GET /api/admin/parked-events}
 * (a gap that never fills stays there).
 */
@Component
public class PolicyReplicaRoutes extends RouteBuilder {

    static final String APPLY = "SELECT hub.apply_policy_event(CAST(:?event AS jsonb)) AS outcome";

    static final String LIST_PARKED = """
            SELECT COALESCE(json_agg(json_build_object(
                       'consumer', consumer, 'aggregateId', aggregate_id, 'version', version, 'eventId', event_id,
                       'eventType', event_type, 'reason', reason, 'parkedAt', parked_at,
                       'ageSeconds', floor(extract(epoch FROM now() - parked_at)))
                   ORDER BY parked_at, aggregate_id, version), '[]'::json)::text AS parked
            FROM hub.parked_events""";

    @Override
    public void configure() {
        from("kafka:{{hub.topics.policy}}?groupId={{hub.consumer.group-prefix}}policy-events-to-replica&autoOffsetReset=earliest")
                .routeId("policy-events-to-replica")
                .routeConfigurationId("kafka-consumer-errors")
                .description("D09, R02 - keep the policy replica from every policy event, in per-policy version order")
                .convertBodyTo(String.class)
                .setHeader("eventType", jq(".eventType // \"\"", String.class))
                .choice()
                    .when(header("eventType").in("PolicyCreated", "PolicyModified", "PolicyCancelled",
                            "PolicyPremiumPaid", "PolicyActivated", "PolicyClaimsUpdated"))
                        .toD("json-validator:{{hub.schemas.location}}/events/${header.eventType}.schema.json")
                            .id("validate-policy-event")
                        .setHeader("event", body())
                        .setBody(constant(APPLY))
                        .to("jdbc:dataSource?useHeadersAsParameters=true").id("apply-to-policy-replica")
                        .setHeader("outcome", simple("${body[0][outcome]}"))
                        .choice()
                            .when(header("outcome").isEqualTo("PARKED"))
                                .log(LoggingLevel.WARN, "Policy event parked: a version is missing before it (see GET /api/admin/parked-events)")
                            .otherwise()
                                .log(LoggingLevel.DEBUG, "Policy event ${header.eventType}: ${header.outcome}")
                        .end()
                        .endChoice()
                    .otherwise()
                        .log(LoggingLevel.DEBUG, "Skipping ${header.eventType}: not a policy change the replica knows")
                .end();

        rest("/api/admin/parked-events")
                .description("R02 - events held back by a per-aggregate version gap")
                .get().id("get-parked-events").routeId("get-parked-events-api").produces("application/json")
                    .to("direct:list-parked-events");

        from("direct:list-parked-events")
                .routeId("list-parked-events")
                .routeConfigurationId("rest-problem-details")
                .description("R02 - operator view: every parked event with its reason and age, oldest first")
                .setBody(constant(LIST_PARKED))
                .to("jdbc:dataSource").id("read-parked-events")
                .setBody(simple("${body[0][parked]}"))
                .removeHeaders("*")
                .setHeader("Content-Type", constant("application/json"));
    }
}
