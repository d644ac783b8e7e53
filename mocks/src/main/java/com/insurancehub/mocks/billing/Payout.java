package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A row of {@code billing.payouts} with its account's customerId: the payout of a settled claim. */
@JsonPropertyOrder({"payoutId", "claimId", "policyId", "accountId", "customerId", "amount", "currency", "status"})
public record Payout(String payoutId, String claimId, String policyId, String accountId, String customerId,
                     BigDecimal amount, String currency, String sourceEventId, Instant createdAt) {

    /** A payout is issued when it is written. */
    @JsonProperty
    public String status() {
        return "ISSUED";
    }
}
