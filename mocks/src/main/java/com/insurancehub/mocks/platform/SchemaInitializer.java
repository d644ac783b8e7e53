package com.insurancehub.mocks.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.stereotype.Component;

/**
 * Creates each mock's own schema (idempotent scripts) before the mocks take requests, then the outbox of each mock
 * that has one, from the one script every outbox shares, and last the {@code changed_by} column of the tables the hub
 * captures (D06, {@link #CHANGE_TRACKED}).
 */
@Component
public class SchemaInitializer implements InitializingBean {

    private static final String OUTBOX_SCRIPT = "mocks-db/outbox.sql";
    private static final String CHANGED_BY_SCRIPT = "mocks-db/changed-by.sql";
    /** The tables whose rows record who changed them last, by schema: those the hub's audit trail captures. */
    private static final Map<String, List<String>> CHANGE_TRACKED = Map.of("pas", List.of("policies"),
            "claims", List.of("claims"), "billing", List.of("invoices", "payments"), "customers", List.of("customers"));

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

        // whole scripts (PL/pgSQL bodies hold semicolons): the driver runs the statements of each in order
        ResourceDatabasePopulator changedBy = new ResourceDatabasePopulator();
        changedBy.setSeparator(ScriptUtils.EOF_STATEMENT_SEPARATOR);
        for (MockSystem mock : mocks) {
            for (String table : CHANGE_TRACKED.getOrDefault(mock.schema(), List.of())) {
                changedBy.addScript(template(CHANGED_BY_SCRIPT, Map.of("schema", mock.schema(), "table", table,
                        "system", mock.base())));
            }
        }
        changedBy.execute(dataSource);
    }

    private static Resource outboxScript(String schema) {
        return template(OUTBOX_SCRIPT, Map.of("schema", schema));
    }

    private static Resource template(String script, Map<String, String> values) {
        try {
            String sql = new ClassPathResource(script).getContentAsString(StandardCharsets.UTF_8);
            for (Map.Entry<String, String> value : values.entrySet()) {
                sql = sql.replace("${" + value.getKey() + "}", value.getValue());
            }
            return new ByteArrayResource(sql.getBytes(StandardCharsets.UTF_8), script + " for " + values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
