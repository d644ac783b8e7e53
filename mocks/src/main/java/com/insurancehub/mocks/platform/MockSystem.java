package com.insurancehub.mocks.platform;

/**
 * One simulated business system. Each mock declares its base path and its schema script; the shared
 * {@link FaultInjectionFilter} and {@link AdminController} give every mock the same admin surface:
 * {@code PUT {base}/_admin/faults}, {@code GET {base}/_admin/stats}, {@code POST {base}/_admin/reset}.
 */
public interface MockSystem {

    /** The base path, e.g. {@code quote-engine} for {@code /quote-engine}. */
    String base();

    /** The system's own PostgreSQL schema, e.g. {@code quote_engine}. */
    default String schema() {
        return base().replace('-', '_');
    }

    /** Classpath location of the SQL that creates this system's own schema. */
    default String schemaScript() {
        return "mocks-db/" + schema() + ".sql";
    }

    /** Whether the system has a transactional outbox, {@code <schema>.outbox} ({@code mocks-db/outbox.sql}). */
    default boolean hasOutbox() {
        return false;
    }
}
