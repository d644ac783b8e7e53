package com.insurancehub.mocks.customers;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * Customer Hub (MDM): keeps one golden record per person (flow F04). A submitted customer matches an existing
 * one by the same email (trimmed, lower-cased) or by the same name (trimmed, lower-cased, inner spaces
 * collapsed, accents stripped) and birth date. Both keys have a unique index, so that concurrent identical
 * submissions cannot create two records: the losers of {@code INSERT ... ON CONFLICT DO NOTHING} re-read the
 * winner's record.
 */
@RestController
@RequestMapping("/customers")
public class CustomerHubMock implements MockSystem {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final JdbcTemplate jdbc;

    public CustomerHubMock(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String base() {
        return "customers";
    }

    public record NewCustomer(String firstName, String lastName, String email, String birthDate) {
    }

    /** 200 with the golden record when the customer is known ({@code matched: true}), else 201 with the new one. */
    @PostMapping("/customers")
    public ResponseEntity<Map<String, Object>> match(@RequestBody NewCustomer customer) {
        if (blank(customer.firstName()) || blank(customer.lastName()) || blank(customer.email())
                || blank(customer.birthDate())) {
            return problem(HttpStatus.BAD_REQUEST, "firstName, lastName, email and birthDate are required");
        }
        LocalDate birthDate;
        try {
            birthDate = LocalDate.parse(customer.birthDate().trim());
        } catch (DateTimeParseException e) {
            return problem(HttpStatus.BAD_REQUEST, "birthDate must be yyyy-MM-dd, not " + customer.birthDate());
        }
        String emailKey = emailKey(customer.email());
        String nameKey = nameKey(customer.firstName(), customer.lastName());
        for (int attempt = 0; attempt < 3; attempt++) {
            List<Map<String, Object>> golden = jdbc.query("""
                    SELECT * FROM customers.customers WHERE email_key = ? OR (name_key = ? AND birth_date = ?)
                    ORDER BY (email_key = ?) DESC, created_at LIMIT 1""", this::row,
                    emailKey, nameKey, Date.valueOf(birthDate), emailKey);
            if (!golden.isEmpty()) {
                return ResponseEntity.ok(matched(golden.get(0), true));
            }
            String customerId = "C-" + UUID.randomUUID();
            int inserted = jdbc.update("""
                    INSERT INTO customers.customers (customer_id, first_name, last_name, email, birth_date,
                                                     email_key, name_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    customerId, customer.firstName().trim(), customer.lastName().trim(), customer.email().trim(),
                    Date.valueOf(birthDate), emailKey, nameKey);
            if (inserted == 1) {
                return ResponseEntity.status(HttpStatus.CREATED).body(matched(find(customerId).get(0), false));
            }
            // a concurrent request created the same person first: read its record on the next attempt
        }
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "could not settle the golden record of " + customer.email());
    }

    @GetMapping("/customers/{customerId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String customerId) {
        List<Map<String, Object>> found = find(customerId);
        return found.isEmpty() ? notFound("customer " + customerId) : ResponseEntity.ok(found.get(0));
    }

    public record Link(String quoteId) {
    }

    /**
     * Links a quote to the customer: 201 when new, 200 when the quote was already linked to this customer,
     * 409 when it is linked to another one.
     */
    @PostMapping("/customers/{customerId}/links")
    public ResponseEntity<Map<String, Object>> link(@PathVariable String customerId, @RequestBody Link link) {
        if (link == null || blank(link.quoteId())) {
            return problem(HttpStatus.BAD_REQUEST, "quoteId is required");
        }
        if (find(customerId).isEmpty()) {
            return notFound("customer " + customerId);
        }
        int inserted = jdbc.update("INSERT INTO customers.quote_links (quote_id, customer_id) VALUES (?, ?)"
                + " ON CONFLICT DO NOTHING", link.quoteId(), customerId);
        Map<String, Object> existing = links("quote_id", link.quoteId()).get(0);
        if (!customerId.equals(existing.get("customerId"))) {
            Map<String, Object> conflict = new LinkedHashMap<>();
            conflict.put("status", 409);
            conflict.put("detail", "quote " + link.quoteId() + " is linked to customer " + existing.get("customerId"));
            conflict.put("customerId", existing.get("customerId"));
            return ResponseEntity.status(HttpStatus.CONFLICT).body(conflict);
        }
        return ResponseEntity.status(inserted == 1 ? HttpStatus.CREATED : HttpStatus.OK).body(existing);
    }

    @GetMapping("/customers/{customerId}/links")
    public ResponseEntity<?> linksOf(@PathVariable String customerId) {
        return find(customerId).isEmpty() ? notFound("customer " + customerId)
                : ResponseEntity.ok(links("customer_id", customerId));
    }

    /** Removes the quote's link (a saga compensation): 200 {quoteId, removed}; a no-op when there is none. */
    @PostMapping("/links/{quoteId}/removal")
    public Map<String, Object> unlink(@PathVariable String quoteId) {
        int removed = jdbc.update("DELETE FROM customers.quote_links WHERE quote_id = ?", quoteId);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("quoteId", quoteId);
        answer.put("removed", removed == 1);
        return answer;
    }

    private List<Map<String, Object>> links(String column, String value) {
        return jdbc.query("SELECT * FROM customers.quote_links WHERE " + column + " = ? ORDER BY linked_at", (rs, n) -> {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("quoteId", rs.getString("quote_id"));
            link.put("customerId", rs.getString("customer_id"));
            link.put("linkedAt", rs.getTimestamp("linked_at").toInstant().toString());
            return link;
        }, value);
    }

    static String emailKey(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    static String nameKey(String firstName, String lastName) {
        String name = Normalizer.normalize(firstName + " " + lastName, Normalizer.Form.NFD);
        name = MARKS.matcher(name).replaceAll("");
        return SPACES.matcher(name.trim().toLowerCase(Locale.ROOT)).replaceAll(" ");
    }

    private List<Map<String, Object>> find(String customerId) {
        return jdbc.query("SELECT * FROM customers.customers WHERE customer_id = ?", this::row, customerId);
    }

    private static Map<String, Object> matched(Map<String, Object> customer, boolean matched) {
        Map<String, Object> answer = new LinkedHashMap<>(customer);
        answer.put("matched", matched);
        return answer;
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("customerId", rs.getString("customer_id"));
        customer.put("firstName", rs.getString("first_name"));
        customer.put("lastName", rs.getString("last_name"));
        customer.put("email", rs.getString("email"));
        customer.put("birthDate", rs.getObject("birth_date", LocalDate.class).toString());
        customer.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return customer;
    }
}
