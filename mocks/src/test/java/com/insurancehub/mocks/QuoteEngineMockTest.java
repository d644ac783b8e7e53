package com.insurancehub.mocks;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.insurancehub.testing.JsonHttp.Response;

import static com.insurancehub.mocks.MockHttp.assertEvents;
import static com.insurancehub.mocks.MockHttp.count;
import static com.insurancehub.mocks.MockHttp.get;
import static com.insurancehub.mocks.MockHttp.id;
import static com.insurancehub.mocks.MockHttp.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Quote Engine's expiry and its QuoteExpired in {@code quote_engine.outbox}: one transaction. When the hub's
 * integration context runs in the same JVM its expiry schedule may expire a quote of this test first: the
 * assertions hold whoever made the transition.
 */
class QuoteEngineMockTest {

    @Test
    void anExpiryAndItsQuoteExpiredAreWrittenOnceInOneTransaction() {
        String quoteId = quote("ines." + id() + "@example.com");
        String email = get("quote-engine/quotes/" + quoteId).body().at("/customer/email").asText();
        overdue(quoteId);

        assertThat(post("quote-engine/quotes/" + quoteId + "/expiry", "").status()).isIn(200, 409);

        Response expired = get("quote-engine/quotes/" + quoteId);
        assertThat(expired.text("status")).isEqualTo("EXPIRED");
        assertThat(expired.integer("version")).isEqualTo(2);
        List<MockHttp.OutboxRow> rows = assertEvents("quote_engine.outbox", "quote", quoteId, 2, "QuoteExpired");
        assertThat(rows.get(0).data().get("quoteId").asText()).isEqualTo(quoteId);
        assertThat(rows.get(0).data().get("product").asText()).isEqualTo("AUTO");
        assertThat(rows.get(0).data().get("validUntil").asText()).isEqualTo(expired.text("validUntil"));
        assertThat(rows.get(0).data().at("/customer/email").asText()).isEqualTo(email);
        assertThat(count("""
                SELECT count(*) FROM quote_engine.outbox o JOIN quote_engine.quotes q ON q.quote_id = o.aggregate_id
                WHERE o.aggregate_id = ? AND o.xmin::text = q.xmin::text""", quoteId)).isEqualTo(1);

        // expired already: 409, and no second event
        assertThat(post("quote-engine/quotes/" + quoteId + "/expiry", "").status()).isEqualTo(409);
        assertThat(count("SELECT count(*) FROM quote_engine.outbox WHERE aggregate_id = ?", quoteId)).isEqualTo(1);
    }

    @Test
    void aQuoteStillValidOrUnknownIsNotExpired() {
        String quoteId = quote("valid." + id() + "@example.com");

        assertThat(post("quote-engine/quotes/" + quoteId + "/expiry", "").status()).isEqualTo(409);
        assertThat(post("quote-engine/quotes/Q-" + id() + "/expiry", "").status()).isEqualTo(404);
        assertThat(get("quote-engine/quotes/" + quoteId).text("status")).isEqualTo("ACTIVE");
        assertThat(count("SELECT count(*) FROM quote_engine.outbox WHERE aggregate_id = ?", quoteId)).isZero();
    }

    @Test
    void anExpiryIsUndoneWhenItsQuoteExpiredCannotBeWritten() throws Exception {
        String quoteId = quote("late." + id() + "@example.com");

        // the outbox refuses this quote's row (a disk full, a constraint): the transition rolls back with it
        String refusal = "refuses_" + id().replace("-", "");
        execute("ALTER TABLE quote_engine.outbox ADD CONSTRAINT " + refusal
                + " CHECK (aggregate_id <> '" + quoteId + "') NOT VALID");
        try {
            overdue(quoteId); // after the refusal: an expiry schedule running in this JVM fails on it too
            assertThat(post("quote-engine/quotes/" + quoteId + "/expiry", "").status()).isEqualTo(500);
            Response still = get("quote-engine/quotes/" + quoteId);
            assertThat(still.text("status")).isEqualTo("ACTIVE");
            assertThat(still.integer("version")).isEqualTo(1);
        } finally {
            execute("ALTER TABLE quote_engine.outbox DROP CONSTRAINT " + refusal);
        }

        // the next attempt expires it, with its event
        assertThat(post("quote-engine/quotes/" + quoteId + "/expiry", "").status()).isIn(200, 409);
        assertThat(get("quote-engine/quotes/" + quoteId).text("status")).isEqualTo("EXPIRED");
        assertEvents("quote_engine.outbox", "quote", quoteId, 2, "QuoteExpired");
    }

    /** An ACTIVE AUTO quote, valid one day. */
    private static String quote(String email) {
        Response created = post("quote-engine/quotes", """
                {"product":"AUTO","customer":{"firstName":"Ines","email":"%s"},
                 "risk":{"insuredValue":9000,"postalCode":"69001"},"premium":410.00,"ratingSource":"EXTERNAL","validity":"P1D"}""".formatted(email));
        assertThat(created.status()).isEqualTo(201);
        return created.text("quoteId");
    }

    /** Its validity over: what an expiry run finds. */
    private static void overdue(String quoteId) {
        try {
            execute("UPDATE quote_engine.quotes SET valid_until = now() - interval '1 second' WHERE quote_id = '" + quoteId + "'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection db = MockHttp.db(); Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }
}
