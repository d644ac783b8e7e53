package com.insurancehub.hub.platform.health;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

import com.insurancehub.hub.platform.outbox.OutboxRelayEndpoint;
import com.insurancehub.hub.platform.outbox.OutboxRelayLeadership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresEndpoint;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * Evaluates every health component that does I/O on a schedule of its own, so that {@code /actuator/health} and its
 * probes answer from the last result at once (with its time and age) instead of doing the I/O per request.
 *
 * <p>Why: Camel's checks took 2-3 s per evaluation (every Kafka consumer's check waits for its consumer's poll) and
 * Spring evaluated them three times per request (camelHealth, Camel's liveness and readiness): 5-6 s, where a probe
 * times out at 1 s. And a check against a broker or database that is down waits for its timeout in the request.
 *
 * <p>Components: {@code camelHealth}, {@code camelLivenessState}, {@code camelReadinessState} (one evaluation of
 * Camel's checks), {@code db} and {@code kafka} (Spring's and the hub's indicators, called here), {@code outboxRelays}
 * ({@link OutboxRelayCheck}), {@code relayLeadership}, {@code consumerGroups} ({@link ConsumerGroupCheck}) and the
 * systems behind the hub ({@link DownstreamCheck}). The first five replace the registered ones in Spring's registry
 * under the same names; the others are beans of {@link HealthConfiguration}.
 *
 * <p>Two daemon threads - Camel's checks on one, the others on the other, so that the relays' and consumers' verdicts
 * do not wait for Camel's - and a third for the systems behind the hub (a system not answering holds up only its own
 * turn) from the hub's start ({@link ApplicationReadyEvent}) to the first step of its context's
 * close ({@link ContextClosedEvent}, or {@link #destroy()} should that be missed): nothing evaluates a closed context
 * (camel-spring-boot's own asynchronous health check kept its scheduler after its context closed, firing at closed
 * contexts). Not a {@code SmartLifecycle}: starting one starts the beans it depends on, the Camel context among them,
 * before camel-spring-boot has added the routes - it then adds none. Off with {@code hub.health.enabled=false}: the
 * route tests' contexts.
 */
public final class HealthEvaluator implements SmartInitializingSingleton, DisposableBean, ApplicationContextAware {

    static final String CAMEL = "camelHealth";
    static final String CAMEL_LIVENESS = "camelLivenessState";
    static final String CAMEL_READINESS = "camelReadinessState";
    static final String RELAYS = "outboxRelays";
    static final String CONSUMERS = "consumerGroups";
    static final String RELAY_LEADERSHIP = "relayLeadership";
    /** The registered components whose evaluation this takes over (when present). */
    private static final List<String> TAKEN_OVER = List.of("db", "kafka", CAMEL, CAMEL_LIVENESS, CAMEL_READINESS);
    private static final Logger LOG = LoggerFactory.getLogger(HealthEvaluator.class);
    private static final AtomicInteger EVALUATORS = new AtomicInteger();
    /** An outbox table as the relays name it, schema.table: it goes into SQL text */
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*");

    /** Its threads' names start so: hub-health-{evaluator}-{thread} (a test JVM holds several contexts). */
    final String threadPrefix = "hub-health-" + EVALUATORS.incrementAndGet() + "-";

    private final CamelContext camelContext;
    private final HealthProperties properties;
    private final Environment environment;
    private final ObjectProvider<HealthContributorRegistry> registry;
    private final ObjectProvider<MeterRegistry> meters;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Evaluated> last = new ConcurrentHashMap<>();
    private final Map<String, HealthIndicator> originals = new ConcurrentHashMap<>();
    private final Set<String> groupsWithMetrics = ConcurrentHashMap.newKeySet();
    private MultiGauge partitionLag;
    private final Set<String> relaysWithMetrics = ConcurrentHashMap.newKeySet();
    private final OutboxRelayCheck relays;
    private volatile ConsumerGroupCheck consumers;
    private volatile ScheduledExecutorService executor;
    private volatile Admin admin;
    /** Used by the evaluating thread only; closed with the evaluator */
    private Connection relayConnection;
    private volatile boolean running;
    private ApplicationContext applicationContext;
    private volatile DownstreamCheck downstream;
    private volatile Duration downstreamInterval;
    /** Since when no session holds the relays' leadership; used by the evaluating thread only */
    private Instant noLeaderSince;

    HealthEvaluator(CamelContext camelContext, HealthProperties properties, Environment environment,
                    ObjectProvider<HealthContributorRegistry> registry, ObjectProvider<MeterRegistry> meters) {
        this.camelContext = camelContext;
        this.properties = properties;
        this.environment = environment;
        this.registry = registry;
        this.meters = meters;
        this.relays = new OutboxRelayCheck(properties.relays().notRunningAfter(), properties.relays().stalledAfter());
    }

    /** The component of {@code /actuator/health} answering from the last result of {@code name}. */
    HealthIndicator indicator(String name) {
        if (!properties.enabled()) {
            return () -> Health.unknown().withDetail("reason", "not evaluated (hub.health.enabled is false)").build();
        }
        HealthIndicator evaluated = Evaluated.indicator(() -> last.get(name), properties.staleAfter(), clock);
        // db and kafka answer per request, as before, until their first result (the hub's first second)
        return () -> {
            HealthIndicator original = originals.get(name);
            return original != null && last.get(name) == null ? original.health() : evaluated.health();
        };
    }

    /** Spring's registry holds every component by now: the I/O ones are answered from here from now on. */
    @Override
    public void afterSingletonsInstantiated() {
        HealthContributorRegistry contributors = registry.getIfAvailable();
        if (!properties.enabled() || contributors == null) {
            return;
        }
        for (String name : TAKEN_OVER) {
            HealthContributor contributor = contributors.getContributor(name);
            if (contributor instanceof HealthIndicator original) {
                if (!name.startsWith("camel")) {
                    originals.put(name, original); // Camel's are evaluated from Camel's checks directly
                }
                contributors.unregisterContributor(name);
                contributors.registerContributor(name, indicator(name));
            }
        }
    }

    private void registerRelayMetrics(List<OutboxRelayCheck.Relay> relays) {
        MeterRegistry registry = meters.getIfAvailable();
        if (registry == null) {
            return;
        }
        for (OutboxRelayCheck.Relay relay : relays) {
            String outbox = relay.outbox();
            if (relaysWithMetrics.add(outbox)) {
                Gauge.builder("hub.relay.running", () -> relayValue(outbox, s -> s.running() ? 1 : 0))
                        .description("1 when the outbox's relay runs on some hub instance (its replication slot has a reader)")
                        .tag("outbox", outbox).register(registry);
                Gauge.builder("hub.outbox.unpublished.age.seconds", () -> relayValue(outbox, s -> s.unpublishedAgeSeconds()))
                        .description("Age of the oldest outbox row not confirmed published by its relay, 0 when none")
                        .tag("outbox", outbox).baseUnit("seconds").register(registry);
            }
        }
    }

    private double relayValue(String outbox, ToDoubleFunction<OutboxRelayCheck.RelayState> value) {
        OutboxRelayCheck.RelayState state = relays.states().get(outbox);
        return state == null ? Double.NaN : value.applyAsDouble(state);
    }

    /** The systems behind the hub, probed on a thread of their own every {@code interval} (set before the start). */
    void downstream(DownstreamCheck check, Duration interval) {
        this.downstream = check;
        this.downstreamInterval = interval;
    }

    /** Evaluations start once the hub is ready: its routes run, Camel's checks say what they are for. */
    @EventListener
    public synchronized void start(ApplicationReadyEvent ready) {
        if (!properties.enabled() || running || ready.getApplicationContext() != applicationContext) {
            return;
        }
        if (properties.consumers().enabled()) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, environment.getRequiredProperty("hub.kafka.brokers"),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) properties.timeout().toMillis(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) properties.timeout().toMillis(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "hub-health"));
            consumers = new ConsumerGroupCheck(admin, properties.timeout(), properties.consumers().stuckAfter(), clock);
        }
        AtomicInteger threads = new AtomicInteger();
        DownstreamCheck systems = downstream;
        executor = Executors.newScheduledThreadPool(systems == null ? 2 : 3, task -> {
            Thread thread = new Thread(task, threadPrefix + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        running = true;
        // two turns, each on its own thread: the quick components are not held up by Camel's checks
        long interval = properties.interval().toMillis();
        executor.scheduleWithFixedDelay(() -> evaluate(this::evaluateQuick), 0, interval, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(() -> evaluate(this::evaluateCamel), 0, interval, TimeUnit.MILLISECONDS);
        if (systems != null) {
            // a third: a system that does not answer holds up its own turn only (its timeout), never the hub's own
            executor.scheduleWithFixedDelay(() -> evaluate(() -> evaluateDownstream(systems)), 0,
                    downstreamInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The first thing a closing context does: nothing evaluates it once its beans and Camel stop. */
    @EventListener
    public void stop(ContextClosedEvent closed) {
        if (closed.getApplicationContext() == applicationContext) {
            stop();
        }
    }

    synchronized void stop() {
        running = false;
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
        if (admin != null) {
            admin.close(properties.timeout());
            admin = null;
        }
        closeRelayConnection(); // its thread has ended (or is past its timeout)
    }

    /** Should the close event be missed (a context failing to start). */
    @Override
    public void destroy() {
        stop();
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    private void evaluate(Runnable turn) {
        if (!camelContext.isStarted()) {
            return; // stopping: the last results stand until the close stops this
        }
        try {
            turn.run();
        } catch (RuntimeException | Error e) {
            // never out of the task: the executor would not run it again
            LOG.error("Health evaluation failed", e);
        }
    }

    /** The components that answer in milliseconds, unless what they ask is down (then within hub.health.timeout). */
    private void evaluateQuick() {
        for (Map.Entry<String, HealthIndicator> original : originals.entrySet()) {
            evaluate(original.getKey(), original.getValue()::health);
        }
        if (properties.relays().enabled()) {
            evaluate(RELAYS, this::relays);
            evaluate(RELAY_LEADERSHIP, this::relayLeadership);
        }
        if (properties.consumers().enabled()) {
            evaluate(CONSUMERS, this::consumerGroups);
        }
    }

    private void evaluate(String name, Callable<Health> check) {
        if (!running || Thread.currentThread().isInterrupted()) {
            return;
        }
        Instant start = clock.instant();
        Health health;
        try {
            health = check.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            // the error's class only: its message may name hosts, ports or SQL, and health answers anyone
            LOG.warn("Health component {} could not be evaluated", name, e);
            health = Health.down().withDetail("error", e.getClass().getName()).build();
        }
        publish(name, health, start);
    }

    private void publish(String name, Health health, Instant start) {
        Instant end = clock.instant();
        Evaluated before = last.put(name, new Evaluated(health, end, Duration.between(start, end)));
        Status was = before == null ? null : before.health().getStatus();
        if (!health.getStatus().equals(was) && (was != null || !Status.UP.equals(health.getStatus()))) {
            Object reasons = health.getDetails().getOrDefault("reasons", health.getDetails().get("down"));
            if (Status.UP.equals(health.getStatus())) {
                LOG.info("Health {}: {} -> UP", name, was);
            } else {
                LOG.warn("Health {}: {} -> {}{}", name, was, health.getStatus(), reasons == null ? "" : " " + reasons);
            }
        }
    }

    private Health relays() throws Exception {
        List<OutboxRelayCheck.Relay> outboxRelays = outboxRelays();
        Health health;
        try {
            health = relays(relayConnection(), outboxRelays);
        } catch (SQLException first) {
            closeRelayConnection(); // a connection the database dropped (restart, failover): once more on a new one
            health = relays(relayConnection(), outboxRelays);
        }
        registerRelayMetrics(outboxRelays);
        return health;
    }

    private Health relays(Connection connection, List<OutboxRelayCheck.Relay> outboxRelays) throws SQLException {
        Health health = relays.evaluate(connection, outboxRelays, routeId -> {
            ServiceStatus status = camelContext.getRouteController().getRouteStatus(routeId);
            return status == null ? "absent" : status.name();
        });
        // D05/D06: the business-change capture's slot, its lag and whether it lost WAL (ChangeCaptureSlotCheck)
        Map<String, Object> capture = ChangeCaptureSlotCheck.evaluate(connection,
                environment.getProperty("hub.cdc.enabled", Boolean.class, false) ? environment.getProperty("hub.cdc.slot") : null);
        if (capture == null) {
            return health;
        }
        Health.Builder withCapture = Health.status(ChangeCaptureSlotCheck.lost(capture) ? Status.DOWN : health.getStatus())
                .withDetails(health.getDetails()).withDetail("businessChanges", capture);
        return withCapture.build();
    }

    /** The systems behind the hub: every probe of a turn at once (DownstreamCheck), each its own component. */
    private void evaluateDownstream(DownstreamCheck systems) {
        if (!running || Thread.currentThread().isInterrupted()) {
            return;
        }
        Instant start = clock.instant();
        Map<String, Health> results;
        try {
            results = systems.evaluate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        results.forEach((name, health) -> publish(name, health, start));
    }

    /**
     * Component {@code relayLeadership}: how many sessions hold the relays' leadership lock (the lock connection names
     * itself {@link OutboxRelayLeadership#APPLICATION_NAME}, which pg_stat_activity shows to every role) and whether this
     * instance relays. None for longer than {@code hub.health.relays.not-running-after} is DOWN: a handover takes
     * a check interval, a leader that never comes means no instance can take the lock.
     */
    private Health relayLeadership() throws SQLException {
        long leaders;
        try {
            leaders = leaders(relayConnection());
        } catch (SQLException first) {
            closeRelayConnection();
            leaders = leaders(relayConnection());
        }
        List<String> relayingHere = outboxRelays().stream().map(OutboxRelayCheck.Relay::routeId)
                .filter(routeId -> camelContext.getRouteController().getRouteStatus(routeId) == ServiceStatus.Started)
                .toList();
        Instant now = clock.instant();
        Health.Builder health = Health.up();
        if (leaders > 0) {
            noLeaderSince = null;
        } else {
            noLeaderSince = noLeaderSince == null ? now : noLeaderSince;
            long seconds = Duration.between(noLeaderSince, now).toSeconds();
            health.withDetail("noLeaderForSeconds", seconds);
            if (Duration.between(noLeaderSince, now).compareTo(properties.relays().notRunningAfter()) > 0) {
                health.down().withDetail("reasons", List.of("no hub instance has held the outbox relays' leadership for "
                        + seconds + " s"));
            }
        }
        return health.withDetail("leaders", leaders).withDetail("leaderHere", !relayingHere.isEmpty())
                .withDetail("relayingHere", relayingHere).build();
    }

    private static long leaders(Connection connection) throws SQLException {
        try (java.sql.PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, OutboxRelayLeadership.APPLICATION_NAME);
            try (java.sql.ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    /** One connection for the relay checks, kept between evaluations (a new one each time cost a backend's start). */
    private Connection relayConnection() throws SQLException {
        if (relayConnection == null) {
            relayConnection = openRelayConnection();
        }
        return relayConnection;
    }

    private void closeRelayConnection() {
        if (relayConnection != null) {
            try {
                relayConnection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the relay health check's connection: {}", e.getMessage());
            }
            relayConnection = null;
        }
    }

    private Connection openRelayConnection() throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", environment.getRequiredProperty("hub.outbox.user"));
        credentials.setProperty("password", environment.getProperty("hub.outbox.password", ""));
        credentials.setProperty("ApplicationName", "hub-health");
        String seconds = String.valueOf(Math.max(1, properties.timeout().toSeconds()));
        credentials.setProperty("connectTimeout", seconds);
        credentials.setProperty("socketTimeout", seconds);
        String url = "jdbc:postgresql://" + environment.getRequiredProperty("hub.postgres.host") + ":"
                + environment.getRequiredProperty("hub.postgres.port") + "/" + environment.getRequiredProperty("hub.postgres.database");
        return DriverManager.getConnection(url, credentials);
    }

    /**
     * The hub's outbox relays, as its routes define them (OutboxRelayRoutes): every route reading a replication slot
     * with Debezium (outbox-relay or debezium-postgres endpoints), and the outbox table it follows besides the heartbeat table. Whether they run here or not.
     */
    private List<OutboxRelayCheck.Relay> outboxRelays() {
        String heartbeat = environment.getProperty("hub.outbox.heartbeat-table", "");
        List<OutboxRelayCheck.Relay> found = new ArrayList<>();
        for (Route route : camelContext.getRoutes()) {
            PostgresConnectorEmbeddedDebeziumConfiguration configuration =
                    route.getEndpoint() instanceof OutboxRelayEndpoint relay ? relay.getConfiguration()
                            : route.getEndpoint() instanceof DebeziumPostgresEndpoint debezium ? debezium.getConfiguration() : null;
            // the business-change capture (D05/D06) reads business tables, not an outbox: its slot is a detail of its own
            if (configuration != null && !route.getEndpoint().getEndpointUri().startsWith("business-changes:")) {
                Arrays.stream(Objects.toString(configuration.getTableIncludeList(), "").split(","))
                        .map(String::trim)
                        .filter(table -> !table.equals(heartbeat) && TABLE.matcher(table).matches())
                        .findFirst()
                        .ifPresent(table -> found.add(new OutboxRelayCheck.Relay(table.substring(0, table.indexOf('.')),
                                route.getRouteId(), configuration.getSlotName(), table)));
            }
        }
        found.sort(Comparator.comparing(OutboxRelayCheck.Relay::routeId));
        return found;
    }

    private Health consumerGroups() throws Exception {
        Collection<String> groups = new TreeSet<>();
        for (Route route : camelContext.getRoutes()) {
            if (route.getEndpoint() instanceof KafkaEndpoint kafka && kafka.getConfiguration().getGroupId() != null) {
                groups.add(kafka.getConfiguration().getGroupId());
            }
        }
        Health health = consumers.evaluate(groups);
        registerGroupMetrics(groups);
        return health;
    }

    /**
     * Per group {@code hub.consumer.lag} and {@code hub.consumer.stuck}; per partition {@code hub.kafka.consumer.lag}
     * (O02, the dashboards' and alerts' series), from the offsets the check has just read: a partition that goes
     * (topic deleted, group gone or unreadable this round) loses its row. A failed evaluation changes none of them.
     */
    private void registerGroupMetrics(Collection<String> groups) {
        MeterRegistry registry = meters.getIfAvailable();
        if (registry == null) {
            return;
        }
        if (partitionLag == null) {
            partitionLag = MultiGauge.builder("hub.kafka.consumer.lag")
                    .description("Records of the partition after the group's committed offset (every hub.health.interval)")
                    .register(registry);
        }
        partitionLag.register(consumers.states().values().stream()
                .flatMap(state -> state.partitionLags().entrySet().stream().map(partition -> MultiGauge.Row.of(
                        Tags.of("group", state.group(), "topic", partition.getKey().topic(),
                                "partition", Integer.toString(partition.getKey().partition())), partition.getValue())))
                .toList(), true);
        for (String group : groups) {
            if (groupsWithMetrics.add(group)) {
                Gauge.builder("hub.consumer.lag", () -> groupValue(group, s -> s.lag()))
                        .description("Records of the group's partitions after its committed offsets")
                        .tag("group", group).register(registry);
                Gauge.builder("hub.consumer.stuck", () -> groupValue(group, s -> s.stuck() ? 1 : 0))
                        .description("1 when the group has lag and its committed offset has not moved for hub.health.consumers.stuck-after")
                        .tag("group", group).register(registry);
            }
        }
    }

    private double groupValue(String group, ToDoubleFunction<ConsumerGroupCheck.GroupState> value) {
        ConsumerGroupCheck check = consumers;
        ConsumerGroupCheck.GroupState state = check == null ? null : check.states().get(group);
        return state == null ? Double.NaN : value.applyAsDouble(state);
    }

    /** Camel's checks, once for its three components: liveness and readiness are the checks of that kind. */
    private void evaluateCamel() {
        if (!running || Thread.currentThread().isInterrupted()) {
            return;
        }
        Instant start = clock.instant();
        Collection<HealthCheck.Result> results;
        try {
            results = HealthCheckHelper.invoke(camelContext, check -> Map.of(HealthCheck.CHECK_KIND, HealthCheck.Kind.ALL),
                    check -> false, "full");
        } catch (RuntimeException e) {
            LOG.warn("Camel's health checks could not be evaluated", e);
            Health down = Health.down().withDetail("error", e.getClass().getName()).build();
            publish(CAMEL, down, start);
            publish(CAMEL_LIVENESS, down, start);
            publish(CAMEL_READINESS, down, start);
            return;
        }
        List<HealthCheck.Result> enabled = results.stream()
                .filter(r -> !Boolean.FALSE.equals(r.getDetails().get(HealthCheck.CHECK_ENABLED))).toList();
        publish(CAMEL, camel(enabled, r -> true, r -> r.getState() != HealthCheck.State.DOWN), start);
        publish(CAMEL_LIVENESS, camel(enabled, r -> r.getCheck().isLiveness(), r -> r.getState() != HealthCheck.State.DOWN), start);
        publish(CAMEL_READINESS, camel(enabled, r -> r.getCheck().isReadiness(), r -> r.getState() == HealthCheck.State.UP), start);
    }

    private static Health camel(List<HealthCheck.Result> results, Predicate<HealthCheck.Result> kind,
                                Predicate<HealthCheck.Result> fine) {
        Map<String, String> failing = new TreeMap<>();
        int checks = 0;
        for (HealthCheck.Result result : results) {
            if (kind.test(result)) {
                checks++;
                if (!fine.test(result)) {
                    failing.put(result.getCheck().getId(), result.getState() + result.getMessage().map(m -> ": " + m).orElse(""));
                }
            }
        }
        Health.Builder health = failing.isEmpty() ? Health.up() : Health.down().withDetail("down", failing);
        return health.withDetail("checks", checks).build();
    }

    @Override
    public String toString() {
        return "HealthEvaluator[" + Objects.toString(camelContext.getName()) + "]";
    }
}
