package com.insurancehub.hub.platform;

import javax.sql.DataSource;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * R01 - the memory of the idempotent consumers: which event each consumer has already handled, in the hub's
 * database (table {@code hub.processed_events}, its primary key the unique constraint). Consumers use it as
 * {@code idempotentConsumer: {simple: "${routeId}:${header.eventId}", idempotentRepository: processedEvents,
 * eager: false}}: the event is recorded once its effect is done, so a crash in between repeats the effect -
 * which the system called absorbs through the sourceEventId it receives - and never skips it.
 * (Under {@code camel run}, camel-run.properties declares the same bean.)
 */
@Configuration(proxyBeanMethods = false)
public class ProcessedEventsConfiguration {

    @Bean
    public JdbcMessageIdRepository processedEvents(DataSource dataSource) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository(dataSource, "hub");
        repository.setTableName("hub.processed_events");
        repository.setCreateTableIfNotExists(false);
        return repository;
    }
}
