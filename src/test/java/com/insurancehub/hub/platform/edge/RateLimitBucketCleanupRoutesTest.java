package com.insurancehub.hub.platform.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

/** AdviceWith test of clean-rate-limit-buckets (F07): expired bucket rows go, live ones stay. */
@RouteDomains("platform")
class RateLimitBucketCleanupRoutesTest extends RouteTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() {
        route("clean-rate-limit-buckets").from("direct:clean-rate-limit-buckets");
    }

    @Test
    void expiredBucketsAreDeletedAndLiveOnesKept() {
        String table = RateLimitConfiguration.TABLE;
        jdbc.update("INSERT INTO " + table + " (id, expires_at) VALUES ('anonymous:route-test-expired', 0)");
        jdbc.update("INSERT INTO " + table + " (id, expires_at) VALUES ('anonymous:route-test-live', ?)",
                System.currentTimeMillis() + 3_600_000);

        Object deleted = template.requestBody("direct:clean-rate-limit-buckets", (Object) null);

        assertThat(((Number) deleted).intValue()).isPositive();
        assertThat(jdbc.queryForList("SELECT id FROM " + table + " WHERE id LIKE 'anonymous:route-test-%'", String.class))
                .containsExactly("anonymous:route-test-live");
        jdbc.update("DELETE FROM " + table + " WHERE id LIKE 'anonymous:route-test-%'");
    }
}
