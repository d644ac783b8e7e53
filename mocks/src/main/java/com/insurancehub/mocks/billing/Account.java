package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;

/** A row of {@code billing.accounts}: the account of one policy, the aggregate of every billing event. */
public record Account(String accountId, String customerId, String policyId, String status, int version,
                      BigDecimal creditBalance, String closureReason, Instant closedAt, Instant createdAt,
                      Instant updatedAt) {

    static final String CLOSED = "CLOSED";

    boolean closed() {
        return CLOSED.equals(status);
    }
}
