package com.insurancehub.hub.quote;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F02 on real parts: External Rating (the mock) failing, slow or down, seen through the hub's breaker.
 * The test profile keeps the seed's thresholds (5 consecutive failures, 2 s timeout, 1 probe) and shortens
 * the open state to 3 s.
 */
@HubIntegrationTest
class RatingCircuitBreakerIntegrationTest {

    @LocalServerPort
    int port;
    HubApi api;

    @BeforeEach
    void setUp() {
        api = new HubApi(port);
        Mocks.reset("rating");
        Mocks.reset("quote-engine");
        closeTheBreaker();
    }

    @AfterEach
    void tearDown() {
        Mocks.reset("rating");
        closeTheBreaker();
    }

    @Test
    void fiveConsecutiveFailuresOpenTheBreakerAndOnlyTheHalfOpenProbeReachesRating() {
        Mocks.faults("rating", 0, 0, true);

        for (int i = 1; i <= 5; i++) {
            assertThat(ratingSourceOfNewRisk()).isEqualTo("FALLBACK");
            assertThat(Mocks.requests("rating")).isEqualTo(i);
        }
        // Open: answered from the fallback, and not one call reaches the rating system.
        for (int i = 0; i < 10; i++) {
            assertThat(ratingSourceOfNewRisk()).isEqualTo("FALLBACK");
        }
        assertThat(Mocks.requests("rating")).isEqualTo(5);

        // After the open state, one probe goes through; it fails, so the breaker opens again.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            ratingSourceOfNewRisk();
            return Mocks.requests("rating") == 6;
        });
        for (int i = 0; i < 5; i++) {
            assertThat(ratingSourceOfNewRisk()).isEqualTo("FALLBACK");
        }
        assertThat(Mocks.requests("rating")).isEqualTo(6);

        // Rating is back: the next probe succeeds and closes the breaker.
        Mocks.faults("rating", 0, 0, false);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> "EXTERNAL".equals(ratingSourceOfNewRisk()));
        assertThat(ratingSourceOfNewRisk()).isEqualTo("EXTERNAL");
    }

    @Test
    void aSlowRatingIsCutAtTheCallTimeoutAndAnsweredFromTheFallback() {
        Mocks.faults("rating", 5_000, 0, false);

        HubApi.Response response = api.post("/api/quotes", HubApi.quoteRequest("HOME", HubApi.uniqueInsuredValue(), "slow@example.com"));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body().get("ratingSource").asText()).isEqualTo("FALLBACK");
        // 2 s call timeout (+ the Quote Engine and Kafka): well under the 5 s the rating would have taken
        assertThat(response.tookMs()).isLessThan(4_000);
    }

    @Test
    void aRatedRiskIsAnsweredFromTheCacheWhileRatingIsSlow() {
        String request = HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "cached@example.com");
        HubApi.Response first = api.post("/api/quotes", request);
        assertThat(first.body().get("ratingSource").asText()).isEqualTo("EXTERNAL");
        Mocks.faults("rating", 5_000, 0, false);

        HubApi.Response second = api.post("/api/quotes", request);

        assertThat(second.status()).isEqualTo(201);
        assertThat(second.body().get("ratingSource").asText()).isEqualTo("CACHE");
        assertThat(second.body().get("premium").decimalValue())
                .isEqualByComparingTo(first.body().get("premium").decimalValue());
        assertThat(second.tookMs()).isLessThan(2_000);
        assertThat(Mocks.requests("rating")).isEqualTo(1);
    }

    @Test
    void theFallbackTariffIsTheDocumentedFlatRateNeverBelowTheMinimum() {
        Mocks.faults("rating", 0, 1.0, false);

        HubApi.Response large = api.post("/api/quotes", HubApi.quoteRequest("AUTO", 30_000.5, "fb@example.com"));
        HubApi.Response small = api.post("/api/quotes", HubApi.quoteRequest("HOME", 1_000.25, "fb@example.com"));

        // hub.rating.fallback: AUTO 6 % (min 250), HOME 0.5 % (min 150)
        assertThat(large.body().get("ratingSource").asText()).isEqualTo("FALLBACK");
        assertThat(large.body().get("premium").decimalValue()).isEqualByComparingTo("1800.03");
        assertThat(small.body().get("premium").decimalValue()).isEqualByComparingTo("150");
    }

    private String ratingSourceOfNewRisk() {
        HubApi.Response response = api.post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "cb@example.com"));
        assertThat(response.status()).isEqualTo(201);
        return response.body().get("ratingSource").asText();
    }

    /** Whatever an earlier test left: with rating healthy, calls go through once the breaker lets them. */
    private void closeTheBreaker() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> "EXTERNAL".equals(ratingSourceOfNewRisk()));
        Mocks.reset("rating");
    }
}
