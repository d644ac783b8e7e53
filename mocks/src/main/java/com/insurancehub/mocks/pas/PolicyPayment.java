package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A row of {@code pas.policy_payments}: a premium payment recorded on a policy. */
public record PolicyPayment(String paymentId, String invoiceId, BigDecimal amount, String sourceEventId,
                            @JsonProperty("recordedAt") Instant createdAt) {
}
