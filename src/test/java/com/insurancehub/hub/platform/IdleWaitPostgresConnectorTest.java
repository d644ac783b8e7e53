package com.insurancehub.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.insurancehub.hub.platform.outbox.IdleWaitPostgresConnector;
import org.junit.jupiter.api.Test;

class IdleWaitPostgresConnectorTest {

    @Test
    void itsTaskReachesDebeziumsChangeQueue() {
        // the task's class initialisation finds Debezium's private change queue field, or fails with what to do
        assertThat(new IdleWaitPostgresConnector.IdleWaitTask()).isNotNull();
        assertThat(new IdleWaitPostgresConnector().taskClass()).isEqualTo(IdleWaitPostgresConnector.IdleWaitTask.class);
    }
}
