package com.insurancehub.hub.policy;

import org.apache.camel.saga.CamelSagaService;
import org.apache.camel.saga.InMemorySagaService;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The saga service of the subscription saga (F03): camel-saga's in-memory coordinator unless the LRA
 * coordinator is switched on ({@code camel.lra.enabled=true}, profile {@code lra}, the production option: then
 * camel-lra-starter registers its own service, bean {@code lra-service}, and {@code hub.subscription.saga-service}
 * names it; see application-lra.yaml).
 *
 * <p>The in-memory coordinator lives in this JVM: a hub that dies mid-saga forgets it, and its compensation
 * calls are fire-and-forget (Camel 4.17), retried {@code max-attempts} times. What survives is the hub's attempt
 * log ({@code hub.subscription_attempts}): the recovery route settles what a dead hub, or a compensation that gave
 * up, left unsettled (subscription-recovery.camel.yaml). That is why the compensation is idempotent and keyed by
 * business ids, and why the tests check the systems' state, not the saga's.
 */
@Configuration(proxyBeanMethods = false)
public class SagaConfiguration {

    @Bean("sagaService")
    @ConditionalOnProperty(name = "camel.lra.enabled", havingValue = "false", matchIfMissing = true)
    public CamelSagaService inMemorySagaService(
            @Value("${hub.subscription.compensation.max-attempts}") int maxAttempts,
            @Value("${hub.subscription.compensation.retry-delay}") long retryDelayMs) {
        InMemorySagaService service = new InMemorySagaService();
        service.setMaxRetryAttempts(maxAttempts);
        service.setRetryDelayInMilliseconds(retryDelayMs);
        return service;
    }
}
