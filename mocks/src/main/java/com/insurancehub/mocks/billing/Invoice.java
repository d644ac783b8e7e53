package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import com.insurancehub.mocks.platform.Fields;

/**
 * A row of {@code billing.invoices} with its account's customerId: OPEN → PAID | CANCELLED, kind PREMIUM or
 * ADJUSTMENT, dunning level 0, 1 (REMINDER) or 2 (FINAL). {@code accountId} is null for an invoice issued before
 * accounts were required (it gets one at its first payment).
 */
@JsonPropertyOrder({"invoiceId", "accountId", "policyId", "customerId", "kind", "amount", "amountPaid", "outstanding"})
public record Invoice(String invoiceId, String accountId, String policyId, String customerId, String kind,
                      BigDecimal amount, BigDecimal amountPaid, String currency, String status, LocalDate dueDate,
                      int dunningLevel, String cancellationReason, String sourceEventId, Instant createdAt,
                      Instant updatedAt) {

    static final String OPEN = "OPEN";
    static final String PAID = "PAID";

    /** What is left to pay: 0 once the invoice is no longer OPEN. */
    @JsonProperty
    public BigDecimal outstanding() {
        return OPEN.equals(status) ? amount.subtract(amountPaid) : BigDecimal.ZERO.setScale(2);
    }

    /** The invoice's fields in the data of InvoiceIssued and InvoiceCancelled. */
    Map<String, Object> eventFields() {
        return Fields.of("invoiceId", invoiceId, "kind", kind, "amount", amount, "amountPaid", amountPaid,
                "currency", currency, "status", status, "dueDate", dueDate, "dunningLevel", dunningLevel,
                "sourceEventId", sourceEventId);
    }
}
