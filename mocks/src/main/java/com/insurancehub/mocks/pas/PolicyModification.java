package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/** A row of {@code pas.modifications}: one modification (endorsement) of a policy, made at {@code policyVersion}. */
@JsonPropertyOrder({"modificationId", "requestId", "previousPremium", "premium", "premiumDelta"})
public record PolicyModification(String modificationId, String requestId, BigDecimal previousPremium,
                                 BigDecimal premium, String previousProduct, String product, JsonNode coverage,
                                 String reason, int policyVersion, Instant createdAt) {

    @JsonProperty
    public BigDecimal premiumDelta() {
        return premium.subtract(previousPremium);
    }
}
