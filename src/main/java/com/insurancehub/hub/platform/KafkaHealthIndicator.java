package com.insurancehub.hub.platform;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/** {@code /actuator/health} component "kafka": up when the cluster answers a describe within the timeout. */
@Component("kafka")
public class KafkaHealthIndicator extends AbstractHealthIndicator implements DisposableBean {

    private final AdminClient admin;
    private final int timeoutMs;

    public KafkaHealthIndicator(@Value("${hub.kafka.brokers}") String brokers,
                                @Value("${hub.kafka.health-timeout:2000}") int timeoutMs) {
        super("Kafka health check failed");
        this.timeoutMs = timeoutMs;
        this.admin = AdminClient.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.CLIENT_ID_CONFIG, "hub-health"));
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
        builder.up()
                .withDetail("clusterId", cluster.clusterId().get(timeoutMs, TimeUnit.MILLISECONDS))
                .withDetail("brokers", cluster.nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size());
    }

    @Override
    public void destroy() {
        admin.close();
    }
}
