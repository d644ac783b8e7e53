package com.insurancehub.mocks.pas;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The answer to a change of a policy: the policy's fields, then the change the call made (its {@code modification},
 * {@code payment} or {@code claim}).
 */
public record PolicyChange(@JsonUnwrapped Policy policy, PolicyModification modification, PolicyPayment payment,
                           PolicyClaim claim) {

    static PolicyChange of(Policy policy, PolicyModification modification) {
        return new PolicyChange(policy, modification, null, null);
    }

    static PolicyChange of(Policy policy, PolicyPayment payment) {
        return new PolicyChange(policy, null, payment, null);
    }

    static PolicyChange of(Policy policy, PolicyClaim claim) {
        return new PolicyChange(policy, null, null, claim);
    }
}
