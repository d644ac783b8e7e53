package com.insurancehub.mocks.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.stereotype.Component;

/**
 * Creates each mock's own schema (idempotent scripts) before the mocks take requests, then the outbox of each mock
 * that has one, from the one script every outbox shares.
 */
@Component
public class SchemaInitializer implements InitializingBean {

    private static final String OUTBOX_SCRIPT = "mocks-db/outbox.sql";

    private final DataSource dataSource;
    private final List<MockSystem> mocks;

    public SchemaInitializer(DataSource dataSource, List<MockSystem> mocks) {
        this.dataSource = dataSource;
        this.mocks = mocks;
    }

    @Override
    public void afterPropertiesSet() {
        ResourceDatabasePopulator populator = new ResourceDatabasePopulator();
        for (MockSystem mock : mocks) {
            populator.addScript(new ClassPathResource(mock.schemaScript()));
            if (mock.hasOutbox()) {
                populator.addScript(outboxScript(mock.schema()));
            }
        }
        populator.execute(dataSource);
    }

    private static Resource outboxScript(String schema) {
        try {
            String template = new ClassPathResource(OUTBOX_SCRIPT).getContentAsString(StandardCharsets.UTF_8);
            return new ByteArrayResource(template.replace("${schema}", schema).getBytes(StandardCharsets.UTF_8),
                    OUTBOX_SCRIPT + " for " + schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
