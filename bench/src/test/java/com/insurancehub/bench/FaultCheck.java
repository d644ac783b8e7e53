package com.insurancehub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a fault scenario left behind (bench/run-fault-scenarios.sh, docs/reliability.md), read from the systems'
 * tables (as the database owner) and from the event topics, once the load ({@link FaultLoad}'s file) is over.
 *
 * <p>It waits until the run is settled - every policy the run issued has its invoice, confirmation email, audit
 * record, and no subscription is left half-way - or until {@code window} seconds have passed, then reports:
 * <ul>
 *   <li>the subscriptions: ISSUED (committed in PAS) and the rest, whatever the client was told;</li>
 *   <li>per quote, at most one issued policy (a subscription taken once);</li>
 *   <li>per issued policy, exactly one PolicyCreated in PAS's outbox, one distinct PolicyCreated on the policy topic,
 *       one premium invoice, one confirmation email, one audit record; records on the topic beyond one per event are
 *       duplicates (relay replays), counted as absorbed when every effect is still exactly one;</li>
 *   <li>half-states: a PENDING policy, a SUBSCRIBED quote without an issued policy, an issued policy whose quote is not
 *       SUBSCRIBED, an open billing account, a live document request or a customer link of a subscription that has
 *       no issued policy;</li>
 *   <li>the relay: every PAS and Billing outbox row written during the run is on its topic (lost: rows that are not);</li>
 *   <li>times, in ms from {@code killAt}: the longest gap between two consecutive invoices of the run (how long the
 *       event flow stood still), the first event relayed after the kill (its record's time) and the first invoice of
 *       a policy issued after the kill; when the run settled.</li>
 * </ul>
 * Arguments {@code key=value}: jdbcUrl, password (the database owner's), kafka, load (FaultLoad's file, or
 * SubscriptionSimulation's {@code loadFile}, which names its customers' email prefix), killAt
 * (epoch ms), window (s, default 180), out. Exit code 0 when nothing is lost, duplicated or half-done, 1 otherwise.
 */
public final class FaultCheck {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> POLICY_CREATED_CONSUMERS = List.of("policy-created-to-billing",
            "policy-created-to-notifications", "policy-created-to-audit", "policy-created-to-documents");
    private static final Set<String> LIVE_POLICY = Set.of("ISSUED", "ACTIVE");

    private final Map<String, String> args;
    private final JsonNode load;
    private final String run;
    private final long killAt;

    private FaultCheck(Map<String, String> args) throws Exception {
        this.args = args;
        this.load = JSON.readTree(Path.of(args.get("load")).toFile());
        this.run = load.path("run").asText();
        this.killAt = Long.parseLong(args.getOrDefault("killAt", "0"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String arg : argv) {
            String[] kv = arg.split("=", 2);
            args.put(kv[0], kv[1]);
        }
        FaultCheck check = new FaultCheck(args);
        Map<String, Object> report = check.check();
        String text = JSON.writeValueAsString(report);
        if (args.containsKey("out")) {
            Files.writeString(Path.of(args.get("out")), text);
        }
        System.out.println(text);
        System.exit(Boolean.TRUE.equals(report.get("passed")) ? 0 : 1);
    }

    private Map<String, Object> check() throws Exception {
        long window = Long.parseLong(args.getOrDefault("window", "180")) * 1000;
        long started = System.currentTimeMillis();
        State state;
        try (Connection db = DriverManager.getConnection(args.get("jdbcUrl"), "postgres", args.get("password"))) {
            while (true) {
                state = read(db);
                if (state.problems().isEmpty() || System.currentTimeMillis() - started > window) {
                    break;
                }
                Thread.sleep(1000);
            }
            long settledAt = System.currentTimeMillis();
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("run", run);
            report.put("load", load.path("counts"));
            report.put("settled", state.problems().isEmpty());
            report.put("settledAfterKillMs", state.problems().isEmpty() && killAt > 0 ? settledAt - killAt : null);
            report.put("checkWaitedMs", settledAt - started);
            Map<String, Object> figures = figures(db, state);
            report.putAll(figures);
            report.put("problems", state.problems());
            report.put("passed", state.problems().isEmpty() && ((Number) figures.get("lost")).intValue() == 0);
            return report;
        }
    }

    /** The run's subscriptions as the systems see them, and what is wrong with them (empty when settled). */
    private State read(Connection db) throws SQLException {
        // FaultLoad's customers; another load (SubscriptionSimulation) names its prefix in its file
        String emails = load.path("emailPrefix").asText("fault-" + run + "-") + "%";
        Map<String, String> quotes = map(db, "SELECT quote_id, status FROM quote_engine.quotes "
                + "WHERE customer->>'email' LIKE ?", emails);
        Map<String, String[]> policies = new HashMap<>(); // policy -> quote, status
        try (PreparedStatement s = db.prepareStatement("SELECT policy_id, quote_id, status FROM pas.policies WHERE quote_id = ANY(?)")) {
            s.setArray(1, array(db, quotes.keySet()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    policies.put(r.getString(1), new String[] {r.getString(2), r.getString(3)});
                }
            }
        }
        Set<String> issued = policies.entrySet().stream().filter(e -> LIVE_POLICY.contains(e.getValue()[1]))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<String> quotesWithPolicy = issued.stream().map(p -> policies.get(p)[0]).collect(Collectors.toSet());
        // a quote is subscribed once: two live policies for one quote are a subscription taken twice
        Map<String, Integer> livePerQuote = new HashMap<>();
        issued.forEach(p -> livePerQuote.merge(policies.get(p)[0], 1, Integer::sum));

        Map<String, Integer> invoices = counts(db, "SELECT policy_id, count(*) FROM billing.invoices "
                + "WHERE policy_id = ANY(?) AND kind = 'PREMIUM' GROUP BY policy_id", issued);
        Map<String, Integer> emailsSent = counts(db, "SELECT reference, count(*) FROM notifications.messages "
                + "WHERE reference = ANY(?) AND template = 'policy-confirmation' GROUP BY reference", issued);
        Map<String, Integer> audits = counts(db, "SELECT aggregate_id, count(*) FROM audit.records "
                + "WHERE aggregate_id = ANY(?) AND event_type = 'PolicyCreated' GROUP BY aggregate_id", issued);
        Map<String, Integer> outboxed = counts(db, "SELECT aggregate_id, count(*) FROM pas.outbox "
                + "WHERE aggregate_id = ANY(?) AND event_type = 'PolicyCreated' GROUP BY aggregate_id", issued);

        List<String> problems = new ArrayList<>();
        Map<String, Integer> halfStates = new TreeMap<>();
        Set<String> halfDone = new HashSet<>();
        for (String policy : issued) {
            expectOne(problems, policy, "PolicyCreated in PAS's outbox", outboxed);
            expectOne(problems, policy, "premium invoice", invoices);
            expectOne(problems, policy, "confirmation email", emailsSent);
            expectOne(problems, policy, "audit record", audits);
        }
        livePerQuote.forEach((quote, n) -> {
            if (n > 1) {
                problems.add("quote " + quote + " has " + n + " issued policies (subscribed more than once)");
                halfStates.merge("quotesSubscribedTwice", 1, Integer::sum);
            }
        });
        // half-states
        policies.forEach((policy, qs) -> {
            if ("PENDING".equals(qs[1])) {
                problems.add("PENDING policy " + policy + " (quote " + qs[0] + ")");
                halfStates.merge("pendingPolicies", 1, Integer::sum);
                halfDone.add(qs[0]);
            }
        });
        quotes.forEach((quote, status) -> {
            if ("SUBSCRIBED".equals(status) && !quotesWithPolicy.contains(quote)) {
                problems.add("quote " + quote + " SUBSCRIBED without an issued policy");
                halfStates.merge("subscribedQuotesWithoutPolicy", 1, Integer::sum);
                halfDone.add(quote);
            }
            if (!"SUBSCRIBED".equals(status) && quotesWithPolicy.contains(quote)) {
                problems.add("quote " + quote + " " + status + " although its policy is issued");
                halfStates.merge("issuedPoliciesWithQuoteNotSubscribed", 1, Integer::sum);
                halfDone.add(quote);
            }
        });
        Set<String> notIssued = new HashSet<>(policies.keySet());
        notIssued.removeAll(issued);
        for (String account : column(db, "SELECT policy_id FROM billing.accounts WHERE policy_id = ANY(?) "
                + "AND status <> 'CLOSED'", notIssued)) {
            problems.add("billing account of policy " + account + " (not issued) still open");
            halfStates.merge("openBillingAccounts", 1, Integer::sum);
            halfDone.add(policies.get(account)[0]);
        }
        for (String request : column(db, "SELECT policy_id FROM documents.requests WHERE policy_id = ANY(?) "
                + "AND status <> 'CANCELLED'", notIssued)) {
            problems.add("document request of policy " + request + " (not issued) still live");
            halfStates.merge("liveDocumentRequests", 1, Integer::sum);
            halfDone.add(policies.get(request)[0]);
        }
        Set<String> quotesWithout = new HashSet<>(quotes.keySet());
        quotesWithout.removeAll(quotesWithPolicy);
        for (String link : column(db, "SELECT quote_id FROM customers.quote_links WHERE quote_id = ANY(?)", quotesWithout)) {
            problems.add("customer link of quote " + link + " (no issued policy)");
            halfStates.merge("customerLinks", 1, Integer::sum);
            halfDone.add(link);
        }
        halfStates.put("subscriptions", halfDone.size());
        // every subscription the hub answered 201 is committed
        for (JsonNode s : load.path("subscriptions")) {
            String policy = s.path("policyId").asText(null);
            if ("ISSUED".equals(s.path("outcome").asText()) && !issued.contains(policy)) {
                problems.add("policy " + policy + " answered ISSUED but is " + (policies.containsKey(policy)
                        ? policies.get(policy)[1] : "not in PAS"));
            }
        }
        return new State(quotes, policies, issued, invoices, emailsSent, audits, halfStates, problems);
    }

    private Map<String, Object> figures(Connection db, State state) throws SQLException {
        Map<String, Object> f = new LinkedHashMap<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        state.policies().values().forEach(p -> byStatus.merge(p[1], 1, Integer::sum));
        f.put("quotes", state.quotes().size());
        f.put("policies", byStatus);
        f.put("issued", state.issued().size());
        f.put("halfStates", state.halfStates());

        // events produced: PAS's and Billing's outbox rows of the run (billing's by time: its accounts and invoices)
        long since = load.path("startedAt").asLong();
        Map<String, String> pasRows = map(db, "SELECT id::text, aggregate_id FROM pas.outbox WHERE aggregate_id = ANY(?)",
                state.policies().keySet());
        Map<String, String> billingRows = map(db, "SELECT id::text, aggregate_id FROM billing.outbox "
                + "WHERE created_at >= to_timestamp(? / 1000.0)", since);
        Map<String, String> policyCreated = map(db, "SELECT id::text, aggregate_id FROM pas.outbox "
                + "WHERE aggregate_id = ANY(?) AND event_type = 'PolicyCreated'", state.issued());

        Topic policyTopic = Topic.read(args.get("kafka"), "insurance.policy.events");
        Topic billingTopic = Topic.read(args.get("kafka"), "insurance.billing.events");
        f.put("relay", Map.of(
                "pas", policyTopic.against(pasRows.keySet()),
                "billing", billingTopic.against(billingRows.keySet())));

        // PolicyCreated: produced, on the topic, consumed by each consumer, effects
        Map<String, Object> pc = new LinkedHashMap<>();
        pc.put("produced", policyCreated.size());
        Map<String, Object> onTopic = policyTopic.against(policyCreated.keySet());
        pc.put("onTopic", onTopic);
        Map<String, Integer> consumed = new TreeMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT split_part(messageid, ':', 1), count(*) FROM hub.processed_events "
                + "WHERE split_part(messageid, ':', 2) = ANY(?) GROUP BY 1")) {
            s.setArray(1, array(db, policyCreated.keySet()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (POLICY_CREATED_CONSUMERS.contains(r.getString(1))) {
                        consumed.put(r.getString(1), r.getInt(2));
                    }
                }
            }
        }
        pc.put("consumed", consumed);
        pc.put("invoices", sum(state.invoices()));
        pc.put("emails", sum(state.emails()));
        pc.put("auditRecords", sum(state.audits()));
        int duplicates = ((Number) onTopic.get("duplicateRecords")).intValue();
        boolean exact = state.issued().stream().allMatch(p -> state.invoices().getOrDefault(p, 0) == 1
                && state.emails().getOrDefault(p, 0) == 1 && state.audits().getOrDefault(p, 0) == 1);
        pc.put("duplicatesAbsorbed", exact ? duplicates : 0);
        f.put("policyCreated", pc);

        int lost = ((Number) onTopic.get("missing")).intValue();
        for (Object relay : ((Map<?, ?>) f.get("relay")).values()) {
            lost += ((Number) ((Map<?, ?>) relay).get("missing")).intValue();
        }
        for (String policy : state.issued()) {
            lost += state.invoices().getOrDefault(policy, 0) == 0 ? 1 : 0;
            lost += state.emails().getOrDefault(policy, 0) == 0 ? 1 : 0;
            lost += state.audits().getOrDefault(policy, 0) == 0 ? 1 : 0;
        }
        f.put("lost", lost);

        if (killAt > 0) {
            f.put("times", times(db, state, policyTopic, policyCreated.keySet()));
        }
        return f;
    }

    /** Ms from the kill: the event flow's longest stand-still, the relay's and the consumers' first new event. */
    private Map<String, Object> times(Connection db, State state, Topic policyTopic, Set<String> policyCreated)
            throws SQLException {
        Map<String, Object> t = new LinkedHashMap<>();
        List<Long> invoiceTimes = new ArrayList<>();
        Map<String, Long> invoiceByPolicy = new HashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT policy_id, (extract(epoch FROM created_at) * 1000)::bigint "
                + "FROM billing.invoices WHERE policy_id = ANY(?) AND kind = 'PREMIUM' ORDER BY created_at")) {
            s.setArray(1, array(db, state.issued()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    invoiceTimes.add(r.getLong(2));
                    invoiceByPolicy.putIfAbsent(r.getString(1), r.getLong(2));
                }
            }
        }
        long gap = 0;
        long gapStart = 0;
        for (int i = 1; i < invoiceTimes.size(); i++) {
            if (invoiceTimes.get(i) - invoiceTimes.get(i - 1) > gap) {
                gap = invoiceTimes.get(i) - invoiceTimes.get(i - 1);
                gapStart = invoiceTimes.get(i - 1);
            }
        }
        t.put("longestInvoiceGapMs", gap);
        t.put("longestInvoiceGapFromKillMs", invoiceTimes.size() > 1 ? List.of(gapStart - killAt, gapStart + gap - killAt) : null);
        // the relay: the first PolicyCreated record created after the kill (the producer's time)
        Long relayed = policyTopic.firstTimestampAfter(killAt, policyCreated);
        t.put("firstRecordRelayedAfterKillMs", relayed == null ? null : relayed - killAt);
        // consumers: the first invoice of a policy whose PolicyCreated was committed after the kill
        Map<String, Long> committedAt = new HashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT aggregate_id, (extract(epoch FROM created_at) * 1000)::bigint "
                + "FROM pas.outbox WHERE aggregate_id = ANY(?) AND event_type = 'PolicyCreated'")) {
            s.setArray(1, array(db, state.issued()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    committedAt.put(r.getString(1), r.getLong(2));
                }
            }
        }
        Long firstNew = invoiceByPolicy.entrySet().stream()
                .filter(e -> committedAt.getOrDefault(e.getKey(), 0L) > killAt)
                .map(Map.Entry::getValue).min(Long::compare).orElse(null);
        t.put("firstInvoiceOfPolicyIssuedAfterKillMs", firstNew == null ? null : firstNew - killAt);
        Long lastInvoice = invoiceTimes.isEmpty() ? null : invoiceTimes.get(invoiceTimes.size() - 1);
        t.put("lastInvoiceAfterKillMs", lastInvoice == null ? null : lastInvoice - killAt);
        t.put("loadEndedAfterKillMs", load.path("endedAt").asLong() - killAt);
        return t;
    }

    private static void expectOne(List<String> problems, String policy, String what, Map<String, Integer> counts) {
        int n = counts.getOrDefault(policy, 0);
        if (n != 1) {
            problems.add("policy " + policy + ": " + n + " " + what + (n == 1 ? "" : "s") + " (expected 1)");
        }
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static Array array(Connection db, Collection<String> values) throws SQLException {
        return db.createArrayOf("varchar", values.toArray());
    }

    private static Map<String, String> map(Connection db, String sql, Object parameter) throws SQLException {
        Map<String, String> result = new HashMap<>();
        try (PreparedStatement s = db.prepareStatement(sql)) {
            bind(db, s, parameter);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.put(r.getString(1), r.getString(2));
                }
            }
        }
        return result;
    }

    private static Map<String, Integer> counts(Connection db, String sql, Collection<String> keys) throws SQLException {
        Map<String, Integer> result = new HashMap<>();
        try (PreparedStatement s = db.prepareStatement(sql)) {
            s.setArray(1, array(db, keys));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.put(r.getString(1), r.getInt(2));
                }
            }
        }
        return result;
    }

    private static List<String> column(Connection db, String sql, Collection<String> keys) throws SQLException {
        List<String> result = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement(sql)) {
            s.setArray(1, array(db, keys));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(r.getString(1));
                }
            }
        }
        return result;
    }

    private static void bind(Connection db, PreparedStatement s, Object parameter) throws SQLException {
        if (parameter instanceof Collection<?> values) {
            s.setArray(1, db.createArrayOf("varchar", values.toArray()));
        } else if (parameter instanceof Long value) {
            s.setLong(1, value);
        } else {
            s.setString(1, (String) parameter);
        }
    }

    private record State(Map<String, String> quotes, Map<String, String[]> policies, Set<String> issued,
                         Map<String, Integer> invoices, Map<String, Integer> emails, Map<String, Integer> audits,
                         Map<String, Integer> halfStates, List<String> problems) {
    }

    /** Every record of a topic, from its start to its end when read: event id -> times (record timestamps). */
    private record Topic(String name, Map<String, List<Long>> records) {

        static Topic read(String bootstrap, String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            Map<String, List<Long>> records = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long deadline = System.currentTimeMillis() + 60_000;
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                        && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        String eventId = eventId(record);
                        if (eventId != null) {
                            records.computeIfAbsent(eventId, k -> new ArrayList<>()).add(record.timestamp());
                        }
                    }
                }
            }
            return new Topic(topic, records);
        }

        private static String eventId(ConsumerRecord<String, String> record) {
            Header header = record.headers().lastHeader("eventId");
            if (header != null) {
                return new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
            }
            try {
                return JSON.readTree(record.value()).path("eventId").asText(null);
            } catch (Exception e) {
                return null;
            }
        }

        /** Of these event ids: how many are on the topic, missing, and the records beyond one per event. */
        Map<String, Object> against(Set<String> eventIds) {
            int present = 0;
            int duplicates = 0;
            for (String id : eventIds) {
                List<Long> times = records.get(id);
                if (times != null) {
                    present++;
                    duplicates += times.size() - 1;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("events", eventIds.size());
            m.put("onTopic", present);
            m.put("missing", eventIds.size() - present);
            m.put("duplicateRecords", duplicates);
            return m;
        }

        Long firstTimestampAfter(long after, Set<String> eventIds) {
            return eventIds.stream().map(records::get).filter(java.util.Objects::nonNull)
                    .flatMap(List::stream).filter(t -> t > after).min(Long::compare).orElse(null);
        }
    }
}
