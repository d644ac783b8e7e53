package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A row of {@code billing.payments} with its account's customerId; {@code invoiceStatus} is the invoice's after it. */
public record Payment(String paymentId, String invoiceId, String policyId, String accountId, String customerId,
                      BigDecimal amount, String currency, String reference, String invoiceStatus,
                      @JsonProperty("receivedAt") Instant createdAt) {
}
