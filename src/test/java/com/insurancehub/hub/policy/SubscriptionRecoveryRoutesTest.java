package com.insurancehub.hub.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of recover-subscriptions and recover-subscription (F03): the attempt log is the test database's,
 * the saga's compensation (compensate-subscription, tested in {@link SubscriptionSagaRoutesTest}) a mock that
 * answers what it did.
 */
@RouteDomains("policy")
class SubscriptionRecoveryRoutesTest extends RouteTestSupport {

    @Autowired
    DataSource dataSource;
    @Autowired
    MeterRegistry meters;
    private final List<String> attempts = new ArrayList<>();

    @Override
    protected void adviceRoutes() {
        route("recover-subscriptions").from("direct:run-subscription-recovery");
        route("recover-subscription").mockCall("settle-attempt", "compensate-subscription");
    }

    @AfterEach
    void forgetTheAttempts() {
        attempts.forEach(id -> jdbc().update("DELETE FROM hub.subscription_attempts WHERE attempt_id = ?", id));
    }

    @Test
    void anAttemptLeftUnsettledPastTheTimeoutAndMarginIsSettledOnceAndCounted() throws Exception {
        // saga timeout 30 s + margin 30 s: 61 s old is past it, 50 s is not
        String abandoned = attempt("STARTED", 61);
        String compensating = attempt("COMPENSATING", 3600);
        String young = attempt("STARTED", 50);
        String settled = attempt("ISSUED", 3600);
        compensationAnswers("compensated");
        double before = recovered("compensated");

        template.sendBody("direct:run-subscription-recovery", null);

        List<String> sent = attemptsSentToCompensation();
        assertThat(sent).contains(abandoned, compensating).doesNotContain(young, settled);
        assertThat(sent.indexOf(compensating)).as("oldest first").isLessThan(sent.indexOf(abandoned));
        var call = mock("compensate-subscription").getReceivedExchanges().get(sent.indexOf(abandoned)).getMessage();
        assertThat(call.getHeader("quoteId", String.class)).isEqualTo("Q-" + abandoned);
        assertThat(recovered("compensated") - before).isGreaterThanOrEqualTo(2);

        // Claimed by that run: a second run (another instance, or this one) leaves them alone until the claim lapses
        MockEndpoint.resetMocks(camelContext);
        compensationAnswers("compensated");
        template.sendBody("direct:run-subscription-recovery", null);
        assertThat(attemptsSentToCompensation()).doesNotContain(abandoned, compensating);

        jdbc().update("UPDATE hub.subscription_attempts SET recovery_claimed_until = now() - interval '1 second' WHERE attempt_id = ?",
                abandoned);
        MockEndpoint.resetMocks(camelContext);
        compensationAnswers("compensated");
        template.sendBody("direct:run-subscription-recovery", null);
        assertThat(attemptsSentToCompensation()).contains(abandoned).doesNotContain(compensating);
    }

    @Test
    void aCompensationThatFailsIsCountedAndTheOthersAreStillSettled() {
        String failing = attempt("COMPENSATING", 7200);
        String next = attempt("STARTED", 3600);
        mock("compensate-subscription").whenAnyExchangeReceived(e -> {
            if (failing.equals(e.getMessage().getHeader("attemptId"))) {
                throw new java.io.IOException("billing unreachable");
            }
            e.setVariable("compensationOutcome", "completed");
        });
        double failedBefore = recovered("failed");
        double completedBefore = recovered("completed");

        template.sendBody("direct:run-subscription-recovery", null);

        assertThat(attemptsSentToCompensation()).contains(failing, next);
        assertThat(recovered("failed") - failedBefore).isEqualTo(1);
        assertThat(recovered("completed") - completedBefore).isGreaterThanOrEqualTo(1);
    }

    @Test
    void settledAttemptsAreDeletedAfterTheirKeep() {
        String old = attempt("COMPENSATED", 31 * 24 * 3600);
        String recent = attempt("ISSUED", 29 * 24 * 3600);
        String unsettled = attempt("STARTED", 0);
        compensationAnswers("none");

        template.sendBody("direct:run-subscription-recovery", null);

        assertThat(jdbc().queryForList("SELECT attempt_id FROM hub.subscription_attempts WHERE attempt_id IN (?, ?, ?)",
                String.class, old, recent, unsettled)).containsExactlyInAnyOrder(recent, unsettled);
    }

    /** An attempt of its own quote (Q-&lt;attempt id&gt;), started and last changed this many seconds ago. */
    private String attempt(String status, long secondsAgo) {
        String attemptId = "S-" + UUID.randomUUID();
        attempts.add(attemptId);
        jdbc().update("""
                INSERT INTO hub.subscription_attempts (attempt_id, quote_id, status, started_at, updated_at)
                VALUES (?, ?, ?, now() - make_interval(secs => ?), now() - make_interval(secs => ?))""",
                attemptId, "Q-" + attemptId, status, secondsAgo, secondsAgo);
        return attemptId;
    }

    private void compensationAnswers(String outcome) {
        mock("compensate-subscription").whenAnyExchangeReceived(e -> e.setVariable("compensationOutcome", outcome));
    }

    private List<String> attemptsSentToCompensation() {
        return mock("compensate-subscription").getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader("attemptId", String.class)).toList();
    }

    private double recovered(String outcome) {
        Counter counter = meters.find("hub.subscriptions.recovered").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }
}
