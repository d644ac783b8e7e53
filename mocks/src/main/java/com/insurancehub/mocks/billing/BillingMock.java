package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Outbox;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * Billing: one account per policy and the policy's invoices. Like PAS it has a transactional outbox
 * ({@code billing.outbox}), written in the transaction of each change. Every write is idempotent, because the
 * hub calls Billing from at-least-once event consumers: an account per policyId, an invoice per sourceEventId.
 */
@RestController
@RequestMapping("/billing")
public class BillingMock implements MockSystem {

    private static final String OUTBOX = "billing.outbox";
    private static final int PAYMENT_TERM_DAYS = 30;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;

    public BillingMock(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Outbox outbox) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.outbox = outbox;
    }

    @Override
    public String base() {
        return "billing";
    }

    public record NewAccount(String customerId, String policyId) {
    }

    public record Closure(String reason) {
    }

    public record NewInvoice(String policyId, BigDecimal amount, String currency, String sourceEventId) {
    }

    /** 201 with a new OPEN account, or 200 with the account the policy already has. */
    @PostMapping("/accounts")
    public ResponseEntity<Map<String, Object>> open(@RequestBody NewAccount account,
                                                    @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(account.customerId()) || blank(account.policyId())) {
            return problem(HttpStatus.BAD_REQUEST, "customerId and policyId are required");
        }
        return tx.execute(status -> {
            String accountId = "A-" + UUID.randomUUID();
            int inserted = jdbc.update("""
                    INSERT INTO billing.accounts (account_id, customer_id, policy_id, status, version)
                    VALUES (?, ?, ?, 'OPEN', 1) ON CONFLICT (policy_id) DO NOTHING""",
                    accountId, account.customerId(), account.policyId());
            if (inserted == 0) {
                return ResponseEntity.ok(accountsOf(account.policyId()).get(0));
            }
            Map<String, Object> opened = findAccount(accountId).get(0);
            outbox.write(OUTBOX, "billing", accountId, 1, "BillingAccountOpened",
                    pick(opened, "accountId", "customerId", "policyId", "status"), traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(opened);
        });
    }

    /** Idempotent: an account already CLOSED is answered as it is, with no second BillingAccountClosed. */
    @PostMapping("/accounts/{accountId}/closure")
    public ResponseEntity<Map<String, Object>> close(@PathVariable String accountId,
                                                     @RequestBody(required = false) Closure closure,
                                                     @RequestHeader(value = "traceparent", required = false) String traceparent) {
        String reason = closure == null ? null : closure.reason();
        Map<String, Object> account = tx.execute(status -> closeInTransaction(accountId, reason, traceparent));
        return account == null ? notFound("billing account " + accountId) : ResponseEntity.ok(account);
    }

    /** Closes the account of a policy (a saga compensation): 200 with it, or 204 when the policy has none. */
    @PostMapping("/accounts/closure")
    public ResponseEntity<Map<String, Object>> closeByPolicy(@RequestParam String policyId,
                                                             @RequestBody(required = false) Closure closure,
                                                             @RequestHeader(value = "traceparent", required = false) String traceparent) {
        String reason = closure == null ? null : closure.reason();
        Map<String, Object> account = tx.execute(status -> {
            List<String> ids = jdbc.queryForList("SELECT account_id FROM billing.accounts WHERE policy_id = ?",
                    String.class, policyId);
            return ids.isEmpty() ? null : closeInTransaction(ids.get(0), reason, traceparent);
        });
        return account == null ? ResponseEntity.noContent().build() : ResponseEntity.ok(account);
    }

    /** null when there is no such account. */
    private Map<String, Object> closeInTransaction(String accountId, String reason, String traceparent) {
        int updated = jdbc.update("""
                UPDATE billing.accounts SET status = 'CLOSED', version = version + 1, closure_reason = ?,
                                            updated_at = now()
                WHERE account_id = ? AND status <> 'CLOSED'""", reason, accountId);
        List<Map<String, Object>> found = findAccount(accountId);
        if (found.isEmpty()) {
            return null;
        }
        Map<String, Object> account = found.get(0);
        if (updated == 1) {
            Map<String, Object> payload = pick(account, "accountId", "customerId", "policyId", "status");
            payload.put("reason", reason);
            outbox.write(OUTBOX, "billing", accountId, (Integer) account.get("version"), "BillingAccountClosed",
                    payload, traceparent);
        }
        return account;
    }

    @GetMapping("/accounts/{accountId}")
    public ResponseEntity<Map<String, Object>> account(@PathVariable String accountId) {
        List<Map<String, Object>> found = findAccount(accountId);
        return found.isEmpty() ? notFound("billing account " + accountId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/accounts")
    public List<Map<String, Object>> accounts(@RequestParam String policyId) {
        return accountsOf(policyId);
    }

    /**
     * Issues an invoice for the policy (on its account, if it has one yet), due in 30 days. Idempotent by
     * sourceEventId: a repeat answers 200 with the invoice already issued and writes no second InvoiceIssued.
     */
    @PostMapping("/invoices")
    public ResponseEntity<Map<String, Object>> invoice(@RequestBody NewInvoice invoice,
                                                       @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(invoice.policyId()) || invoice.amount() == null || blank(invoice.currency())) {
            return problem(HttpStatus.BAD_REQUEST, "policyId, amount and currency are required");
        }
        if (invoice.currency().length() != 3) {
            return problem(HttpStatus.BAD_REQUEST, "currency must be an ISO 4217 code, not " + invoice.currency());
        }
        String sourceEventId = blank(invoice.sourceEventId()) ? null : invoice.sourceEventId();
        return tx.execute(status -> {
            String invoiceId = "I-" + UUID.randomUUID();
            LocalDate dueDate = LocalDate.now(ZoneOffset.UTC).plusDays(PAYMENT_TERM_DAYS);
            int inserted = jdbc.update("""
                    INSERT INTO billing.invoices (invoice_id, account_id, policy_id, amount, currency, status, due_date,
                                                  source_event_id)
                    VALUES (?, (SELECT account_id FROM billing.accounts WHERE policy_id = ?), ?, ?, ?, 'ISSUED', ?, ?)
                    ON CONFLICT DO NOTHING""",
                    invoiceId, invoice.policyId(), invoice.policyId(), invoice.amount(), invoice.currency(),
                    Date.valueOf(dueDate), sourceEventId);
            if (inserted == 0) {
                return ResponseEntity.ok(jdbc.query("SELECT * FROM billing.invoices WHERE source_event_id = ?",
                        this::invoiceRow, sourceEventId).get(0));
            }
            Map<String, Object> issued = jdbc.query("SELECT * FROM billing.invoices WHERE invoice_id = ?",
                    this::invoiceRow, invoiceId).get(0);
            outbox.write(OUTBOX, "billing", invoice.policyId(), 1, "InvoiceIssued", pick(issued, "invoiceId",
                    "accountId", "policyId", "amount", "currency", "status", "dueDate", "sourceEventId"), traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(issued);
        });
    }

    @GetMapping("/invoices/{invoiceId}")
    public ResponseEntity<Map<String, Object>> invoice(@PathVariable String invoiceId) {
        List<Map<String, Object>> found = jdbc.query("SELECT * FROM billing.invoices WHERE invoice_id = ?",
                this::invoiceRow, invoiceId);
        return found.isEmpty() ? notFound("invoice " + invoiceId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/invoices")
    public List<Map<String, Object>> invoices(@RequestParam String policyId) {
        return jdbc.query("SELECT * FROM billing.invoices WHERE policy_id = ? ORDER BY created_at, invoice_id",
                this::invoiceRow, policyId);
    }

    private List<Map<String, Object>> findAccount(String accountId) {
        return jdbc.query("SELECT * FROM billing.accounts WHERE account_id = ?", this::accountRow, accountId);
    }

    private List<Map<String, Object>> accountsOf(String policyId) {
        return jdbc.query("SELECT * FROM billing.accounts WHERE policy_id = ?", this::accountRow, policyId);
    }

    private static Map<String, Object> pick(Map<String, Object> row, String... fields) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (String field : fields) {
            if (row.get(field) != null) {
                payload.put(field, row.get(field));
            }
        }
        return payload;
    }

    private Map<String, Object> accountRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("accountId", rs.getString("account_id"));
        account.put("customerId", rs.getString("customer_id"));
        account.put("policyId", rs.getString("policy_id"));
        account.put("status", rs.getString("status"));
        account.put("version", rs.getInt("version"));
        if (rs.getString("closure_reason") != null) {
            account.put("closureReason", rs.getString("closure_reason"));
        }
        account.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        account.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return account;
    }

    private Map<String, Object> invoiceRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> invoice = new LinkedHashMap<>();
        invoice.put("invoiceId", rs.getString("invoice_id"));
        if (rs.getString("account_id") != null) {
            invoice.put("accountId", rs.getString("account_id"));
        }
        invoice.put("policyId", rs.getString("policy_id"));
        invoice.put("amount", rs.getBigDecimal("amount"));
        invoice.put("currency", rs.getString("currency"));
        invoice.put("status", rs.getString("status"));
        invoice.put("dueDate", rs.getObject("due_date", LocalDate.class).toString());
        if (rs.getString("source_event_id") != null) {
            invoice.put("sourceEventId", rs.getString("source_event_id"));
        }
        invoice.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return invoice;
    }
}
