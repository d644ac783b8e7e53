package com.insurancehub.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker in KRaft mode (broker + controller), inside this JVM, on a chosen port.
 * Storage ({@code <workDir>/kafka-<port>}) is formatted fresh at every start, as {@code kafka-storage.sh format}
 * would, and deleted at the stop; or, with {@code keepData}, formatted only the first time and kept: the topics,
 * their records and the consumer groups' offsets outlive a stop or a kill -9 (the broker recovers its log at
 * the next start), and the controller keeps its port ({@code kafka-<port>-controller.port}).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final KafkaRaftServer server;
    private final int port;
    private final Path logDir;
    private final boolean keepData;

    private EmbeddedKafkaBroker(KafkaRaftServer server, int port, Path logDir, boolean keepData) {
        this.server = server;
        this.port = port;
        this.logDir = logDir;
        this.keepData = keepData;
    }

    public static EmbeddedKafkaBroker start(int port, Path workDir) throws Exception {
        return start(port, workDir, false);
    }

    public static EmbeddedKafkaBroker start(int port, Path workDir, boolean keepData) throws Exception {
        int brokerPort = port > 0 ? port : FreePorts.find();
        Path logDir = workDir.resolve("kafka-" + brokerPort);
        Path controllerPortFile = workDir.resolve("kafka-" + brokerPort + "-controller.port");
        boolean formatted = keepData && Files.exists(logDir.resolve("meta.properties"));
        if (!formatted) {
            FileTree.delete(logDir);
        }
        Files.createDirectories(logDir);
        int controllerPort = formatted ? keptControllerPort(controllerPortFile) : FreePorts.find();
        if (keepData) {
            Files.writeString(controllerPortFile, Integer.toString(controllerPort));
        } else {
            Files.deleteIfExists(controllerPortFile);
        }

        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        props.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "3");
        props.put("auto.create.topics.enable", "true");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));

        KafkaConfig config = KafkaConfig.fromProps(props, false);
        if (!formatted) {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        }

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafkaBroker(server, brokerPort, logDir, keepData);
    }

    /** The controller's port of the earlier run if it is free, else another. */
    private static int keptControllerPort(Path file) throws IOException {
        if (Files.exists(file)) {
            String text = Files.readString(file).trim();
            if (text.matches("\\d{1,5}") && !FreePorts.inUse(Integer.parseInt(text))) {
                return Integer.parseInt(text);
            }
        }
        return FreePorts.find();
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
        server.awaitShutdown();
        if (!keepData) {
            FileTree.delete(logDir);
        }
    }
}
