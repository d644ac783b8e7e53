package com.insurancehub.hub.warehouse;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * D02-D04 - the two connections of the warehouse loads: the warehouse itself (its own database, {@code hub.warehouse.url},
 * owned by {@code hub.warehouse.user}; its star schema migrated here from {@code classpath:db/warehouse}) and the
 * systems' tables the loads read ({@code hub.warehouse.source.*}, a role with SELECT grants only).
 *
 * <p>The warehouse being down does not stop the hub: its pools connect on demand, and a schema that could not be
 * migrated at the start is migrated by the first load or API call that needs it ({@link #migrated()}).
 *
 * <p>Deliberately not {@link DataSource} beans: the hub's routes (camel-sql) and Boot's auto-configuration find the
 * hub's pool as the only DataSource of the context, and must go on doing so.
 */
@Component
public class WarehouseDatabases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WarehouseDatabases.class);

    private final HikariDataSource warehouse;
    private final HikariDataSource source;
    private boolean migrated;

    public WarehouseDatabases(@Value("${hub.warehouse.url}") String url, @Value("${hub.warehouse.user}") String user,
                              @Value("${hub.warehouse.password}") String password,
                              @Value("${hub.warehouse.pool-size}") int poolSize,
                              @Value("${hub.warehouse.source.url}") String sourceUrl,
                              @Value("${hub.warehouse.source.user}") String sourceUser,
                              @Value("${hub.warehouse.source.password}") String sourcePassword,
                              @Value("${hub.warehouse.source.pool-size}") int sourcePoolSize) {
        this.warehouse = pool("warehouse", url, user, password, poolSize);
        this.source = pool("warehouse-source", sourceUrl, sourceUser, sourcePassword, sourcePoolSize);
        try {
            migrated();
        } catch (RuntimeException e) {
            LOG.warn("The warehouse cannot be migrated now ({}): the first load or API call will try again", e.getMessage());
        }
    }

    /** Migrates the warehouse's schema once (Flyway, classpath:db/warehouse); answers the warehouse. */
    public synchronized DataSource migrated() {
        if (!migrated) {
            Flyway.configure().dataSource(warehouse).locations("classpath:db/warehouse").schemas("warehouse")
                    .createSchemas(true).load().migrate();
            migrated = true;
        }
        return warehouse;
    }

    private static HikariDataSource pool(String name, String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(5000);
        config.setInitializationFailTimeout(-1); // no connection at start: the hub starts without its warehouse
        config.setConnectionInitSql(name.equals("warehouse") ? "SET search_path = warehouse" : null);
        return new HikariDataSource(config);
    }

    /** The warehouse (search_path warehouse). */
    public DataSource warehouse() {
        return warehouse;
    }

    /** The systems' tables, read only. */
    public DataSource source() {
        return source;
    }

    @Override
    public void close() {
        warehouse.close();
        source.close();
    }
}
