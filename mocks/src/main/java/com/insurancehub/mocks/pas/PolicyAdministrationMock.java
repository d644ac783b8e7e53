package com.insurancehub.mocks.pas;

import java.util.Map;

import org.springframework.stereotype.Component;

import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Outbox;

/**
 * PAS (Policy Administration): the system of record for policies, served under {@code /pas} by
 * {@link PoliciesController} (creation, issuance, cancellation, reads), {@link ModificationsController},
 * {@link PremiumPaymentsController} and {@link PolicyClaimsController}, over {@link PasStore} (the tables).
 * Every change of a policy and its event row in {@code pas.outbox} are written in one database transaction
 * (transactional outbox, relayed by Debezium): an event exists exactly when its change is committed.
 * {@code X-Mock-Rollback: true} makes a creation fail after both writes, to prove that a rolled-back transaction
 * publishes nothing.
 *
 * <p>Every policy event (aggregate {@code policy}, id = policyId, version = the policy's version after the change,
 * +1 per change) carries the policy's snapshot ({@link Policy#snapshot()}), so that a consumer can keep a replica from
 * the events alone ({@link #publish}).
 */
@Component
public class PolicyAdministrationMock implements MockSystem {

    private static final String OUTBOX = "pas.outbox";
    private static final String AGGREGATE = "policy";

    private final Outbox outbox;

    PolicyAdministrationMock(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public String base() {
        return "pas";
    }

    @Override
    public boolean hasOutbox() {
        return true;
    }

    /** Writes the policy's event: the policy snapshot at its version, then the event's own fields. */
    void publish(Policy policy, String eventType, Map<String, Object> fields) {
        Map<String, Object> data = policy.snapshot();
        data.putAll(fields);
        outbox.write(OUTBOX, AGGREGATE, policy.policyId(), policy.version(), eventType, data);
    }
}
