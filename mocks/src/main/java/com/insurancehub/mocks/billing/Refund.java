package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;

/** A row of {@code billing.refunds} with its account's customerId: the refund of a termination. */
public record Refund(String refundId, String accountId, String policyId, String customerId, String terminationId,
                     BigDecimal amount, String currency, String reason, Instant createdAt) {
}
