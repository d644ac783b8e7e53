package com.insurancehub.mocks.quoteengine;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;
import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Outbox;
import com.insurancehub.mocks.platform.Problems;

import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * Quote Engine: stores quotes with their premium and validity, and lets them expire. The premium is
 * given by the caller (the hub got it from External Rating): the Quote Engine never calls Rating itself.
 * An expiry and its QuoteExpired row in its transactional outbox ({@code quote_engine.outbox}, aggregate
 * {@code quote}, id = quoteId, version = the quote's version after the change) are one transaction.
 */
@RestController
@RequestMapping("/quote-engine")
public class QuoteEngineMock implements MockSystem {

    private static final String OUTBOX = "quote_engine.outbox";
    private static final String AGGREGATE = "quote";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final Duration defaultValidity;
    private final String currency;

    public QuoteEngineMock(JdbcTemplate jdbc, TransactionTemplate tx, Outbox outbox, ObjectMapper json,
                           @Value("${mocks.quote-engine.default-validity}") Duration defaultValidity,
                           @Value("${mocks.quote-engine.currency}") String currency) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
        this.json = json;
        this.defaultValidity = defaultValidity;
        this.currency = currency;
    }

    @Override
    public String base() {
        return "quote-engine";
    }

    @Override
    public boolean hasOutbox() {
        return true;
    }

    public record NewQuote(String product, JsonNode customer, JsonNode risk, BigDecimal premium, String currency,
                           String ratingSource, Duration validity) {
    }

    @PostMapping("/quotes")
    public ResponseEntity<Map<String, Object>> create(@RequestBody NewQuote quote) throws JsonProcessingException {
        if (quote.product() == null || quote.customer() == null || quote.risk() == null || quote.premium() == null
                || quote.ratingSource() == null) {
            return problem(HttpStatus.BAD_REQUEST, "product, customer, risk, premium and ratingSource are required");
        }
        String quoteId = "Q-" + UUID.randomUUID();
        Instant validUntil = Instant.now().plus(quote.validity() != null ? quote.validity() : defaultValidity)
                .truncatedTo(ChronoUnit.MILLIS);
        jdbc.update("""
                INSERT INTO quote_engine.quotes (quote_id, product, customer, risk, premium, currency, rating_source,
                                                 status, valid_until, version)
                VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, 'ACTIVE', ?, 1)""",
                quoteId, quote.product(), json.writeValueAsString(quote.customer()),
                json.writeValueAsString(quote.risk()), quote.premium(),
                quote.currency() != null ? quote.currency() : currency, quote.ratingSource(),
                Timestamp.from(validUntil));
        return ResponseEntity.status(HttpStatus.CREATED).body(find(quoteId).get(0));
    }

    @GetMapping("/quotes/{quoteId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String quoteId) {
        List<Map<String, Object>> found = find(quoteId);
        return found.isEmpty() ? notFound(quoteId) : ResponseEntity.ok(found.get(0));
    }

    /** Quotes still ACTIVE whose validity ended before {@code validBefore}: what an expiry run must handle. */
    @GetMapping("/quotes")
    public List<Map<String, Object>> list(@RequestParam(defaultValue = "ACTIVE") String status,
                                          @RequestParam(required = false) Instant validBefore,
                                          @RequestParam(defaultValue = "100") int limit) {
        return jdbc.query("""
                SELECT * FROM quote_engine.quotes WHERE status = ? AND valid_until < ?
                ORDER BY valid_until LIMIT ?""", this::row,
                status, Timestamp.from(validBefore != null ? validBefore : Instant.now()), Math.min(limit, 1000));
    }

    /**
     * Moves an ACTIVE quote past its validity to EXPIRED, with its QuoteExpired (data: quoteId, product, validUntil,
     * the customer's email) in the same transaction. Conditional, so that when several hub instances run the expiry
     * schedule the transition, and its event, happen once; 409 for a quote not ACTIVE or still valid.
     */
    @PostMapping("/quotes/{quoteId}/expiry")
    public ResponseEntity<Map<String, Object>> expire(@PathVariable String quoteId) {
        return tx.execute(status -> {
            int updated = jdbc.update("""
                    UPDATE quote_engine.quotes SET status = 'EXPIRED', version = version + 1, updated_at = now()
                    WHERE quote_id = ? AND status = 'ACTIVE' AND valid_until <= now()""", quoteId);
            List<Map<String, Object>> found = find(quoteId);
            if (found.isEmpty()) {
                return notFound(quoteId);
            }
            Map<String, Object> quote = found.get(0);
            if (updated != 1) {
                return problem(HttpStatus.CONFLICT, "quote " + quoteId + " is " + quote.get("status")
                        + " and valid until " + quote.get("validUntil"));
            }
            JsonNode email = ((JsonNode) quote.get("customer")).get("email");
            outbox.write(OUTBOX, AGGREGATE, quoteId, (Integer) quote.get("version"), "QuoteExpired", Fields.of(
                    "quoteId", quoteId, "product", quote.get("product"), "validUntil", quote.get("validUntil"),
                    "customer", Fields.of("email", email == null || email.isNull() ? null : email.asText())));
            return ResponseEntity.ok(quote);
        });
    }

    /**
     * Marks an ACTIVE, still valid quote SUBSCRIBED by a policy (the last step of the subscription saga).
     * 409 when it is expired, already subscribed or otherwise not ACTIVE; repeating it for the same policy is a no-op.
     */
    @PostMapping("/quotes/{quoteId}/subscription")
    public ResponseEntity<Map<String, Object>> subscribe(@PathVariable String quoteId, @RequestBody Map<String, String> body) {
        String policyId = body.get("policyId");
        int updated = jdbc.update("""
                UPDATE quote_engine.quotes SET status = 'SUBSCRIBED', policy_id = ?, version = version + 1, updated_at = now()
                WHERE quote_id = ? AND status = 'ACTIVE' AND valid_until > now()""", policyId, quoteId);
        List<Map<String, Object>> found = find(quoteId);
        if (found.isEmpty()) {
            return notFound(quoteId);
        }
        if (updated == 1 || ("SUBSCRIBED".equals(found.get(0).get("status")) && policyId != null
                && policyId.equals(found.get(0).get("policyId")))) {
            return ResponseEntity.ok(found.get(0));
        }
        return problem(HttpStatus.CONFLICT, "quote " + quoteId + " is " + found.get(0).get("status")
                + " and valid until " + found.get(0).get("validUntil"));
    }

    /** Compensation of {@link #subscribe}: the quote is ACTIVE again. Idempotent; a no-op if it was not subscribed. */
    @PostMapping("/quotes/{quoteId}/subscription/cancellation")
    public ResponseEntity<Map<String, Object>> unsubscribe(@PathVariable String quoteId) {
        jdbc.update("""
                UPDATE quote_engine.quotes SET status = 'ACTIVE', policy_id = NULL, version = version + 1, updated_at = now()
                WHERE quote_id = ? AND status = 'SUBSCRIBED'""", quoteId);
        List<Map<String, Object>> found = find(quoteId);
        return found.isEmpty() ? notFound(quoteId) : ResponseEntity.ok(found.get(0));
    }

    private List<Map<String, Object>> find(String quoteId) {
        return jdbc.query("SELECT * FROM quote_engine.quotes WHERE quote_id = ?", this::row, quoteId);
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> quote = new LinkedHashMap<>();
        quote.put("quoteId", rs.getString("quote_id"));
        quote.put("product", rs.getString("product"));
        quote.put("customer", readTree(rs.getString("customer")));
        quote.put("risk", readTree(rs.getString("risk")));
        quote.put("premium", rs.getBigDecimal("premium"));
        quote.put("currency", rs.getString("currency"));
        quote.put("ratingSource", rs.getString("rating_source"));
        quote.put("status", rs.getString("status"));
        quote.put("validUntil", rs.getTimestamp("valid_until").toInstant().toString());
        quote.put("version", rs.getInt("version"));
        quote.put("policyId", rs.getString("policy_id"));
        quote.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return quote;
    }

    private JsonNode readTree(String value) {
        try {
            return json.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ResponseEntity<Map<String, Object>> notFound(String quoteId) {
        return Problems.notFound("quote " + quoteId);
    }
}
