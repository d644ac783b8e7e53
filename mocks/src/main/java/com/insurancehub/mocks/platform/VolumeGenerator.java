package com.insurancehub.mocks.platform;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST {base}/_admin/generate {"count": N}} on PAS, Claims and Billing: N realistic rows at once, for tests,
 * demos and the warehouse benchmark (D02-D04). One transaction of set-based INSERT ... SELECT statements (no row by
 * row): 50,000 rows in about a second.
 * <ul>
 *   <li>pas: N policies (AUTO/HOME, premium, status mix), each of a customer created in the Customer Hub (one per
 *   two policies)</li>
 *   <li>claims: N claims on existing policies (their policy number, customer and currency), OPEN, ASSESSED, REJECTED
 *   or SETTLED with amounts that agree</li>
 *   <li>billing: N money movements on existing policies: invoices (an account opened for each policy that has none)
 *   and, for half of them, the payment that paid it</li>
 * </ul>
 * Rows are history written now: created dates spread over the past year, change times ({@code updated_at}, or
 * {@code created_at} for rows that never change) = the transaction's time, as a bulk import would stamp them. No
 * outbox rows: these are no business events, the hub's consumers see none of them.
 */
@RestController
public class VolumeGenerator {

    static final int MAX_COUNT = 2_000_000;
    private static final String FIRST_NAMES = "ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Katherine','Tim','Margaret']";
    private static final String LAST_NAMES = "ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Johnson','Berners-Lee','Hamilton']";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public VolumeGenerator(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    public record Request(Integer count) {
    }

    @PostMapping("/{base}/_admin/generate")
    public ResponseEntity<Map<String, Object>> generate(@PathVariable String base, @RequestBody Request request) {
        if (!base.equals("pas") && !base.equals("claims") && !base.equals("billing")) {
            return Problems.notFound("volume generator for " + base + " (pas, claims, billing have one)");
        }
        if (request == null || request.count() == null || request.count() < 1 || request.count() > MAX_COUNT) {
            return Problems.badField("count", "count must be a number from 1 to " + MAX_COUNT);
        }
        int count = request.count();
        long t0 = System.nanoTime();
        String[] stampedAt = new String[1];
        Map<String, Object> created = tx.execute(status -> {
            stampedAt[0] = jdbc.queryForObject("SELECT to_json(now())#>>'{}'", String.class);
            return switch (base) {
                case "pas" -> policies(count);
                case "claims" -> claims(count);
                default -> billing(count);
            };
        });
        if (created == null) {
            return Problems.problem(HttpStatus.CONFLICT, "no policies in PAS to attach them to: generate policies first");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("system", base);
        answer.put("created", created);
        // the change time of every row written (their updated_at, or created_at for rows that never change)
        answer.put("stampedAt", stampedAt[0]);
        answer.put("tookMs", (System.nanoTime() - t0) / 1_000_000);
        return ResponseEntity.ok(answer);
    }

    private Map<String, Object> policies(int count) {
        int customers = (count + 1) / 2;
        int policies = jdbc.update("""
                WITH c AS (
                    INSERT INTO customers.customers (customer_id, first_name, last_name, email, birth_date, email_key, name_key)
                    SELECT 'CUS-' || u, fn, ln, lower(fn || '.' || ln || '.' || left(u, 8)) || '@example.com', bd,
                           lower(fn || '.' || ln || '.' || left(u, 8)) || '@example.com', lower(fn || ' ' || ln) || ' ' || u
                    FROM (SELECT gen_random_uuid()::text AS u, (%s)[1 + floor(random() * 10)::int] AS fn,
                                 (%s)[1 + floor(random() * 10)::int] AS ln,
                                 date '1950-01-01' + floor(random() * 18000)::int AS bd
                          FROM generate_series(1, ?)) s
                    RETURNING customer_id),
                generated_customers AS (SELECT row_number() OVER () AS n, customer_id FROM c)
                INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id, product, premium, currency, status,
                                          version, created_at, updated_at, premium_paid, activated_at, cancellation_reason,
                                          coverage)
                SELECT 'P-' || gen_random_uuid(), 'POL-' || lpad(nextval('pas.policy_numbers')::text, 8, '0'),
                       'Q-' || gen_random_uuid(), c.customer_id, s.product, s.premium, 'EUR', s.status,
                       CASE s.status WHEN 'ISSUED' THEN 2 WHEN 'ACTIVE' THEN 3 ELSE 4 END, s.created, now(),
                       CASE WHEN s.status = 'ISSUED' THEN 0 ELSE s.premium END,
                       CASE WHEN s.status <> 'ISSUED' THEN s.created + interval '2 days' END,
                       CASE WHEN s.status = 'CANCELLED' THEN 'CUSTOMER_REQUEST' END,
                       jsonb_build_object('insuredValue', s.insured)
                FROM (SELECT g, CASE WHEN g %% 3 = 0 THEN 'HOME' ELSE 'AUTO' END AS product,
                             round((250 + random() * 1750)::numeric, 2) AS premium,
                             CASE WHEN g %% 10 < 2 THEN 'ISSUED' WHEN g %% 10 < 9 THEN 'ACTIVE' ELSE 'CANCELLED' END AS status,
                             now() - random() * interval '365 days' AS created, 5000 + floor(random() * 95000)::int AS insured
                      FROM generate_series(1, ?) g) s
                JOIN generated_customers c ON c.n = 1 + (s.g - 1) %% ?""".formatted(FIRST_NAMES, LAST_NAMES),
                customers, count, customers);
        return Map.of("policies", policies, "customers", customers);
    }

    private Map<String, Object> claims(int count) {
        if (!anyPolicy()) {
            return null;
        }
        int claims = jdbc.update(sampled(count) + """
                INSERT INTO claims.claims (claim_id, claim_number, policy_id, policy_number, customer_id, description,
                                           incident_date, claimed_amount, currency, status, decision, assessed_amount,
                                           settled_amount, version, created_at, assessed_at, settled_at, updated_at)
                SELECT 'CLM-' || gen_random_uuid(), 'CLA-' || lpad(nextval('claims.claim_numbers')::text, 8, '0'),
                       p.policy_id, p.policy_number, p.customer_id, s.description, (s.created - interval '3 days')::date,
                       s.amount, p.currency, s.status,
                       CASE s.status WHEN 'OPEN' THEN NULL WHEN 'REJECTED' THEN 'REJECTED' ELSE 'ACCEPTED' END,
                       CASE WHEN s.status IN ('ASSESSED', 'SETTLED') THEN round(s.amount * 0.8, 2) END,
                       CASE WHEN s.status = 'SETTLED' THEN round(s.amount * 0.8, 2) END,
                       CASE s.status WHEN 'OPEN' THEN 1 WHEN 'SETTLED' THEN 3 ELSE 2 END, s.created,
                       CASE WHEN s.status <> 'OPEN' THEN s.created + interval '5 days' END,
                       CASE WHEN s.status = 'SETTLED' THEN s.created + interval '12 days' END, now()
                FROM (SELECT g, (ARRAY['Rear bumper dented','Windscreen cracked','Water damage in the kitchen',
                                       'Stolen bicycle','Storm damage to the roof','Side mirror broken'])[1 + g % 6] AS description,
                             round((100 + random() * 4900)::numeric, 2) AS amount,
                             CASE WHEN g % 10 < 5 THEN 'OPEN' WHEN g % 10 < 7 THEN 'ASSESSED' WHEN g % 10 < 8 THEN 'REJECTED'
                                  ELSE 'SETTLED' END AS status,
                             now() - random() * interval '300 days' AS created
                      FROM generate_series(1, ?) g) s
                JOIN sampled_policies p ON p.n = 1 + (s.g::bigint * 7919) % (SELECT count(*) FROM sampled_policies)""", count);
        return Map.of("claims", claims);
    }

    private Map<String, Object> billing(int count) {
        int payments = count / 2;
        int invoices = count - payments;
        if (!anyPolicy()) {
            return null;
        }
        int accounts = jdbc.update(sampled(invoices) + """
                INSERT INTO billing.accounts (account_id, customer_id, policy_id, status, version)
                SELECT 'A-' || gen_random_uuid(), customer_id, policy_id, 'OPEN', 1 FROM sampled_policies
                ON CONFLICT (policy_id) DO NOTHING""");
        jdbc.update(sampled(invoices) + ", " + """
                inv AS (
                    INSERT INTO billing.invoices (invoice_id, account_id, policy_id, amount, currency, status, due_date,
                                                  created_at, updated_at, kind, amount_paid)
                    SELECT 'I-' || gen_random_uuid(), a.account_id, p.policy_id, round(p.premium / 12, 2), p.currency,
                           CASE WHEN s.g <= ? THEN 'PAID' ELSE 'OPEN' END, (s.created + interval '30 days')::date,
                           s.created, now(), 'PREMIUM', CASE WHEN s.g <= ? THEN round(p.premium / 12, 2) ELSE 0 END
                    FROM (SELECT g, now() - random() * interval '330 days' AS created FROM generate_series(1, ?) g) s
                    JOIN sampled_policies p ON p.n = 1 + (s.g::bigint * 7919) % (SELECT count(*) FROM sampled_policies)
                    JOIN billing.accounts a ON a.policy_id = p.policy_id
                    RETURNING invoice_id, account_id, policy_id, amount, currency, status)
                INSERT INTO billing.payments (payment_id, invoice_id, account_id, policy_id, amount, currency, reference,
                                              invoice_status, created_at)
                SELECT 'PAY-' || gen_random_uuid(), invoice_id, account_id, policy_id, amount, currency,
                       'SEPA-' || left(md5(invoice_id), 10), 'PAID', now()
                FROM inv WHERE status = 'PAID'""", payments, payments, invoices);
        return Map.of("invoices", invoices, "payments", payments, "accounts", accounts);
    }

    private boolean anyPolicy() {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM pas.policies WHERE status <> 'CANCELLED')", Boolean.class));
    }

    /** Up to 100,000 existing policies numbered from 1 (sampled_policies), the same ones in every statement. */
    private static String sampled(int wanted) {
        return """
                WITH sampled_policies AS (
                    SELECT row_number() OVER () AS n, policy_id, policy_number, customer_id, premium, currency
                    FROM (SELECT policy_id, policy_number, customer_id, premium, currency FROM pas.policies
                          WHERE status <> 'CANCELLED' ORDER BY policy_id LIMIT %d) p)
                """.formatted(Math.min(Math.max(wanted, 1), 100_000));
    }
}
