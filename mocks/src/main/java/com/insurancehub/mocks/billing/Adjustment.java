package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A row of {@code billing.adjustments}: kind INVOICE (a positive delta, billed by the adjustment invoice
 * {@code invoiceId}) or CREDIT_NOTE (a negative one, credited to the account).
 */
@JsonPropertyOrder({"adjustmentId", "accountId", "policyId", "kind", "amountDelta", "amount"})
public record Adjustment(String adjustmentId, String accountId, String policyId, String kind, BigDecimal amountDelta,
                         String currency, String invoiceId, String reason, String sourceEventId, Instant createdAt) {

    @JsonProperty
    public BigDecimal amount() {
        return amountDelta.abs();
    }
}
