package com.insurancehub.hub.platform;

import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs every platform-http exchange (the REST API's routes) on the servlet container's request thread.
 * <p>
 * Camel's Spring Boot engine hands each request to Spring's {@code applicationTaskExecutor} and returns a
 * {@code CompletableFuture}. The task thread then blocks for the whole route anyway (the consumer waits for the
 * exchange), and when it is done Tomcat dispatches the request again, on a third thread, to write the answer. So each
 * request woke two more threads and waited twice in the run queue. Run inline, the future is complete when it is
 * returned, and Tomcat writes the answer on the same thread: at 100 quotes/s on two cores, side by side, the hub took
 * ~0.07 cores less and the steady per-minute p99 went from 17-26 to 13-16 ms (docs/performance.md, issue 11, fifth
 * session). A request still holds one thread for its route, a Tomcat thread now
 * ({@code server.tomcat.threads.max}, 200 by default, instead of the task pool's {@code spring.task.execution.pool}).
 * <p>
 * Replaces the starter's engine bean (same name, {@code @ConditionalOnMissingBean} there) with the same engine class.
 * {@code hub.http.platform-on-request-thread=false} restores the starter's engine.
 */
@Configuration(proxyBeanMethods = false)
public class PlatformHttpOnRequestThread {

    @Bean("platform-http-engine")
    @ConditionalOnProperty(name = "hub.http.platform-on-request-thread", havingValue = "true",
            matchIfMissing = true)
    PlatformHttpEngine platformHttpEngineOnRequestThread(@Value("${server.port:8080}") int serverPort) {
        return new SpringBootPlatformHttpEngine(serverPort, Runnable::run);
    }
}
