package com.insurancehub.mocks.claims;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

import com.insurancehub.mocks.platform.Fields;

/**
 * A row of {@code claims.claims}: OPEN → ASSESSED (accepted) or REJECTED → SETTLED (accepted ones only). The
 * assessment's fields have values once assessed, the settlement's once settled.
 */
public record Claim(String claimId, String claimNumber, String policyId, String policyNumber, String customerId,
                    String description, LocalDate incidentDate, BigDecimal claimedAmount, String currency,
                    String status, int version, String decision, BigDecimal assessedAmount, Instant assessedAt,
                    String assessmentNotes, BigDecimal settledAmount, Instant settledAt, String requestId,
                    Instant createdAt, Instant updatedAt) {

    /** The snapshot every claim event's data starts with. */
    Map<String, Object> snapshot() {
        return Fields.of("claimId", claimId, "claimNumber", claimNumber, "policyId", policyId,
                "policyNumber", policyNumber, "customerId", customerId, "description", description,
                "incidentDate", incidentDate, "claimedAmount", claimedAmount, "currency", currency, "status", status,
                "version", version, "decision", decision, "assessedAmount", assessedAmount,
                "assessmentNotes", assessmentNotes, "settledAmount", settledAmount);
    }
}
