package com.insurancehub.hub.policy;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F03 after a crash, on camel-saga's in-memory service (which forgot the saga with the hub that died): what the dead
 * hub left mid-saga ({@link HalfDoneSubscription}: its attempt STARTED two minutes ago, past the saga timeout and
 * margin of 60 s) is found by the recovery (recover-subscriptions, every 500 ms in the test profile) and settled on
 * the real systems: compensated before the policy's issuance, completed after it.
 */
@HubIntegrationTest
class SubscriptionRecoveryIntegrationTest {

    private static final Duration RECOVERY = Duration.ofSeconds(15);

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;
    @Autowired
    ProducerTemplate template;
    /** The database owner: the test writes what a dead hub left in the attempt log */
    private final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());

    @Test
    void aSubscriptionLeftMidSagaIsCompensatedInEverySystemAndItsQuoteCanBeSubscribedAgain() {
        double before = recovered("compensated");
        // the hub died after the quote was marked SUBSCRIBED, before the policy was issued
        HalfDoneSubscription beforeIssuance = HalfDoneSubscription.upTo("mark-quote-subscribed", jdbc);
        // ... and right after the customer was linked
        HalfDoneSubscription linkedOnly = HalfDoneSubscription.upTo("link-customer", jdbc);
        // a saga still within its timeout and margin: left to its saga service
        HalfDoneSubscription running = HalfDoneSubscription.upTo("create-pending-policy", jdbc);
        assertThat(beforeIssuance.policyStatus()).isEqualTo("PENDING");
        assertThat(beforeIssuance.quoteStatus()).isEqualTo("SUBSCRIBED");
        assertThat(beforeIssuance.accountStatus()).isEqualTo("OPEN");
        assertThat(beforeIssuance.documentStatuses()).isNotEmpty().doesNotContain("CANCELLED");
        assertThat(beforeIssuance.linked()).isTrue();
        // two minutes ago, past the saga timeout and margin (60 s)
        beforeIssuance.abandoned(120);
        linkedOnly.abandoned(120);
        running.abandoned(5);

        await().atMost(RECOVERY).untilAsserted(() -> {
            assertThat(beforeIssuance.attemptStatus()).isEqualTo("COMPENSATED");
            assertThat(linkedOnly.attemptStatus()).isEqualTo("COMPENSATED");
        });

        assertThat(beforeIssuance.policyStatus()).isEqualTo("CANCELLED");
        assertThat(beforeIssuance.accountStatus()).isEqualTo("CLOSED");
        assertThat(beforeIssuance.documentStatuses()).isNotEmpty().containsOnly("CANCELLED");
        assertThat(beforeIssuance.linked()).isFalse();
        assertThat(beforeIssuance.quoteStatus()).isEqualTo("ACTIVE");
        assertThat(linkedOnly.linked()).isFalse();
        assertThat(linkedOnly.quoteStatus()).isEqualTo("ACTIVE");
        assertThat(recovered("compensated") - before).isGreaterThanOrEqualTo(2);
        assertThat(running.attemptStatus()).isEqualTo("STARTED");
        assertThat(running.policyStatus()).isEqualTo("PENDING");

        // Nothing is left of the dead hub's attempt: the customer subscribes the quote again
        HubApi.Response again = new HubApi(port).post("/api/quotes/" + beforeIssuance.quoteId + "/subscribe", "");
        assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(201);
        assertThat(again.body().get("status").asText()).isEqualTo("ISSUED");

        // The running one's saga would have ended it; here its compensation does, as the saga service would call it
        template.request("direct:compensate-subscription", e -> {
            e.getMessage().setHeader("attemptId", running.attemptId);
            e.getMessage().setHeader("quoteId", running.quoteId);
        });
        assertThat(running.attemptStatus()).isEqualTo("COMPENSATED");
        assertThat(running.policyStatus()).isEqualTo("CANCELLED");
    }

    @Test
    void aSubscriptionWhosePolicyWasIssuedBeforeTheHubDiedIsCompletedNotUndone() {
        double before = recovered("completed");
        HalfDoneSubscription issued = HalfDoneSubscription.upTo("issue-policy", jdbc).abandoned(120);

        await().atMost(RECOVERY).untilAsserted(() -> assertThat(issued.attemptStatus()).isEqualTo("ISSUED"));

        assertThat(issued.policyStatus()).isEqualTo("ISSUED");
        assertThat(issued.quoteStatus()).isEqualTo("SUBSCRIBED");
        assertThat(issued.accountStatus()).isEqualTo("OPEN");
        assertThat(issued.documentStatuses()).isNotEmpty().doesNotContain("CANCELLED");
        assertThat(issued.linked()).isTrue();
        assertThat(recovered("completed") - before).isEqualTo(1);
    }

    private double recovered(String outcome) {
        Counter counter = meters.find("hub.subscriptions.recovered").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
