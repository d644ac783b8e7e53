package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import com.insurancehub.mocks.platform.Fields;

/** A row of {@code pas.policies}. Lifecycle: PENDING → ISSUED → ACTIVE (first premium paid) → CANCELLED. */
public record Policy(String policyId, String policyNumber, String quoteId, String customerId, String product,
                     JsonNode coverage, BigDecimal premium, String currency, String status, int version,
                     int claimCount, BigDecimal claimedTotal, BigDecimal premiumPaid, Instant activatedAt,
                     String cancellationReason, LocalDate cancellationEffectiveDate, Instant createdAt,
                     Instant updatedAt) {

    static final String PENDING = "PENDING";
    static final String ISSUED = "ISSUED";
    static final String ACTIVE = "ACTIVE";
    static final String CANCELLED = "CANCELLED";

    /** ISSUED or ACTIVE: a policy in force, which can be modified and paid. */
    boolean inForce() {
        return ISSUED.equals(status) || ACTIVE.equals(status);
    }

    /** The snapshot every policy event's data starts with: every field but the timestamps of the row. */
    Map<String, Object> snapshot() {
        return Fields.of("policyId", policyId, "policyNumber", policyNumber, "quoteId", quoteId,
                "customerId", customerId, "product", product, "coverage", coverage, "premium", premium,
                "currency", currency, "status", status, "version", version, "claimCount", claimCount,
                "claimedTotal", claimedTotal, "premiumPaid", premiumPaid, "activatedAt", activatedAt,
                "cancellationReason", cancellationReason, "cancellationEffectiveDate", cancellationEffectiveDate);
    }
}
