package com.insurancehub.hub.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * D04 - every money movement of Billing into fact_billing_transaction: invoices (changing: their updated_at), and
 * payments, refunds, payouts and adjustments (written once: their created_at), keyed by type and id. One streamed
 * query over all five in change order, so one watermark covers them (its key is {@code TYPE:id}).
 */
@Component
class BillingLoad extends WarehouseFlow {

    private static final Upsert FACTS = new Upsert("fact_billing_transaction", List.of("transaction_type:varchar",
            "transaction_id:varchar", "account_id:varchar", "policy_id:varchar", "invoice_id:varchar",
            "transaction_date_key:integer", "due_date_key:integer", "status:varchar", "amount:numeric", "currency:varchar",
            "source_changed_at:timestamptz"), List.of("transaction_type", "transaction_id"), "source_changed_at", true);

    @Override
    public String name() {
        return "billing";
    }

    @Override
    public String flowId() {
        return "D04";
    }

    @Override
    String sourceQuery() {
        return """
                SELECT * FROM (
                    SELECT 'INVOICE:' || invoice_id AS source_key, updated_at AS changed_at, 'INVOICE' AS transaction_type,
                           invoice_id AS transaction_id, account_id, policy_id, invoice_id, created_at AS transacted_at,
                           due_date, status, amount, currency
                    FROM billing.invoices
                    UNION ALL
                    SELECT 'PAYMENT:' || payment_id, created_at, 'PAYMENT', payment_id, account_id, policy_id, invoice_id,
                           created_at, NULL::date, 'RECEIVED', amount, currency
                    FROM billing.payments
                    UNION ALL
                    SELECT 'REFUND:' || refund_id, created_at, 'REFUND', refund_id, account_id, policy_id, NULL, created_at,
                           NULL::date, 'ISSUED', amount, currency
                    FROM billing.refunds
                    UNION ALL
                    SELECT 'PAYOUT:' || payout_id, created_at, 'PAYOUT', payout_id, account_id, policy_id, NULL, created_at,
                           NULL::date, 'ISSUED', amount, currency
                    FROM billing.payouts
                    UNION ALL
                    SELECT 'ADJUSTMENT:' || adjustment_id, created_at, 'ADJUSTMENT', adjustment_id, account_id, policy_id,
                           invoice_id, created_at, NULL::date, kind, amount_delta, currency
                    FROM billing.adjustments
                ) t
                WHERE (changed_at, source_key) > (?::timestamptz, ?) AND changed_at < now() - ?::interval
                ORDER BY changed_at, source_key""";
    }

    @Override
    String rejection(Map<String, Object> row) {
        // an adjustment may be negative (a credit note): every other movement is an amount >= 0
        return firstOf(currency(row), present(row, "amount"), present(row, "policy_id"),
                "ADJUSTMENT".equals(row.get("transaction_type")) ? null : notNegative(row, "amount"),
                inCalendar(row, "transacted_at"), row.get("due_date") == null ? null : inCalendar(row, "due_date"));
    }

    @Override
    int write(Connection warehouse, List<Map<String, Object>> rows, long runId) throws SQLException {
        return FACTS.write(warehouse, values(rows, r -> new Object[] {r.get("transaction_type"), r.get("transaction_id"),
                r.get("account_id"), r.get("policy_id"), r.get("invoice_id"), dateKey(r.get("transacted_at")),
                dateKey(r.get("due_date")), r.get("status"), r.get("amount"), r.get("currency"), r.get("changed_at")}), runId);
    }
}
