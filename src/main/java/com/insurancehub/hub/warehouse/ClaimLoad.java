package com.insurancehub.hub.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

/** D03 - Claims' claims into fact_claim (their customers known to dim_customer, attributes from the policies load). */
@Component
class ClaimLoad extends WarehouseFlow {

    private static final Upsert CUSTOMERS = new Upsert("dim_customer", List.of("customer_id:varchar"),
            List.of("customer_id"), null, false);
    private static final Upsert FACTS = new Upsert("fact_claim", List.of("claim_id:varchar", "claim_number:varchar",
            "policy_id:varchar", "customer_id:varchar", "incident_date_key:integer", "opened_date_key:integer",
            "status:varchar", "decision:varchar", "claimed_amount:numeric", "assessed_amount:numeric",
            "settled_amount:numeric", "currency:varchar", "source_version:integer", "source_updated_at:timestamptz"),
            List.of("claim_id"), "source_updated_at", true);

    @Override
    public String name() {
        return "claims";
    }

    @Override
    public String flowId() {
        return "D03";
    }

    @Override
    String sourceQuery() {
        return """
                SELECT c.claim_id AS source_key, c.updated_at AS changed_at, c.claim_number, c.policy_id, c.customer_id,
                       c.incident_date, c.created_at, c.status, c.decision, c.claimed_amount, c.assessed_amount,
                       c.settled_amount, c.currency, c.version
                FROM claims.claims c
                WHERE (c.updated_at, c.claim_id) > (?::timestamptz, ?) AND c.updated_at < now() - ?::interval
                ORDER BY c.updated_at, c.claim_id""";
    }

    @Override
    String rejection(Map<String, Object> row) {
        return firstOf(present(row, "customer_id"), currency(row), notNegative(row, "claimed_amount"),
                inCalendar(row, "incident_date"), inCalendar(row, "created_at"));
    }

    @Override
    int write(Connection warehouse, List<Map<String, Object>> rows, long runId) throws SQLException {
        Map<Object, Map<String, Object>> customers = new LinkedHashMap<>();
        rows.forEach(row -> customers.put(row.get("customer_id"), row));
        CUSTOMERS.write(warehouse, values(List.copyOf(customers.values()), r -> new Object[] {r.get("customer_id")}), runId);
        return FACTS.write(warehouse, values(rows, r -> new Object[] {r.get("source_key"), r.get("claim_number"),
                r.get("policy_id"), r.get("customer_id"), dateKey(r.get("incident_date")), dateKey(r.get("created_at")),
                r.get("status"), r.get("decision"), r.get("claimed_amount"), r.get("assessed_amount"),
                r.get("settled_amount"), r.get("currency"), r.get("version"), r.get("changed_at")}), runId);
    }
}
