package com.insurancehub.hub.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * D02 - PAS's policies into fact_policy, their customers (as the Customer Hub knows them) into dim_customer and
 * their products into dim_product.
 */
@Component
class PolicyLoad extends WarehouseFlow {

    private static final Upsert CUSTOMERS = new Upsert("dim_customer", List.of("customer_id:varchar", "first_name:varchar",
            "last_name:varchar", "email:varchar", "birth_date:date", "source_updated_at:timestamptz"),
            List.of("customer_id"), "source_updated_at", false);
    private static final Upsert PRODUCTS = new Upsert("dim_product", List.of("product_code:varchar"),
            List.of("product_code"), null, false);
    private static final Upsert FACTS = new Upsert("fact_policy", List.of("policy_id:varchar", "policy_number:varchar",
            "customer_id:varchar", "product_code:varchar", "issued_date_key:integer", "status:varchar", "premium:numeric",
            "premium_paid:numeric", "currency:varchar", "claim_count:integer", "claimed_total:numeric",
            "cancellation_reason:text", "source_version:integer", "source_updated_at:timestamptz"),
            List.of("policy_id"), "source_updated_at", true);

    @Override
    public String name() {
        return "policies";
    }

    @Override
    public String flowId() {
        return "D02";
    }

    @Override
    String sourceQuery() {
        return """
                SELECT p.policy_id AS source_key, p.updated_at AS changed_at, p.policy_number, p.customer_id, p.product,
                       p.premium, p.premium_paid, p.currency, p.status, p.version, p.claim_count, p.claimed_total,
                       p.cancellation_reason, p.created_at, c.first_name, c.last_name, c.email, c.birth_date,
                       c.updated_at AS customer_updated_at
                FROM pas.policies p LEFT JOIN customers.customers c ON c.customer_id = p.customer_id
                WHERE (p.updated_at, p.policy_id) > (?::timestamptz, ?) AND p.updated_at < now() - ?::interval
                ORDER BY p.updated_at, p.policy_id""";
    }

    @Override
    String rejection(Map<String, Object> row) {
        return firstOf(present(row, "product"), present(row, "customer_id"), currency(row),
                notNegative(row, "premium"), inCalendar(row, "created_at"));
    }

    @Override
    int write(Connection warehouse, List<Map<String, Object>> rows, long runId) throws SQLException {
        Map<Object, Map<String, Object>> customers = new LinkedHashMap<>();
        Map<Object, Map<String, Object>> products = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            customers.put(row.get("customer_id"), row);
            products.put(row.get("product"), row);
        }
        CUSTOMERS.write(warehouse, values(List.copyOf(customers.values()), r -> new Object[] {r.get("customer_id"),
                r.get("first_name"), r.get("last_name"), r.get("email"), r.get("birth_date"), r.get("customer_updated_at")}), runId);
        PRODUCTS.write(warehouse, values(List.copyOf(products.values()), r -> new Object[] {r.get("product")}), runId);
        return FACTS.write(warehouse, values(rows, r -> new Object[] {r.get("source_key"), r.get("policy_number"),
                r.get("customer_id"), r.get("product"), dateKey(r.get("created_at")), r.get("status"), r.get("premium"),
                r.get("premium_paid"), r.get("currency"), r.get("claim_count"), r.get("claimed_total"),
                r.get("cancellation_reason"), r.get("version"), r.get("changed_at")}), runId);
    }
}
