package com.insurancehub.mocks.platform;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.stereotype.Component;

/** Creates each mock's own schema (idempotent scripts) before the mocks take requests. */
@Component
public class SchemaInitializer implements InitializingBean {

    private final DataSource dataSource;
    private final List<MockSystem> mocks;

    public SchemaInitializer(DataSource dataSource, List<MockSystem> mocks) {
        this.dataSource = dataSource;
        this.mocks = mocks;
    }

    @Override
    public void afterPropertiesSet() {
        ResourceDatabasePopulator populator = new ResourceDatabasePopulator();
        mocks.forEach(m -> populator.addScript(new ClassPathResource(m.schemaScript())));
        populator.execute(dataSource);
    }
}
