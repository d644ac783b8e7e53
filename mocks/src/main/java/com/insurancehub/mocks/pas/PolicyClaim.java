package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A row of {@code pas.policy_claims}: an assessed claim counted on a policy. */
public record PolicyClaim(String claimId, BigDecimal assessedAmount, String sourceEventId,
                          @JsonProperty("recordedAt") Instant createdAt) {
}
