package com.insurancehub.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.common.recoveryPropertyManager;
import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.narayana.lra.coordinator.api.Coordinator;
import io.narayana.lra.coordinator.api.CoordinatorContainerFilter;
import io.narayana.lra.coordinator.internal.Implementations;
import io.narayana.lra.coordinator.internal.LRARecoveryModule;
import io.undertow.Undertow;
import org.jboss.resteasy.core.ResteasyDeploymentImpl;
import org.jboss.resteasy.plugins.server.undertow.UndertowJaxrsServer;
import org.jboss.resteasy.spi.ResteasyDeployment;

/**
 * A real Narayana LRA coordinator ({@code io.narayana.lra.coordinator.api.Coordinator}, the JAX-RS resource the
 * Narayana coordinator image runs) inside this JVM, on RESTEasy + Undertow, on a chosen port. camel-lra drives it
 * over HTTP at {@code http://localhost:<port>/lra-coordinator} and it calls the hub's participants back over HTTP.
 *
 * <p>Its log (the object store) lives under the work folder, {@code <workDir>/lra-<port>}, and is wiped at every
 * start, as Kafka's and PostgreSQL's data are; or, with {@code keepData}, kept: the sagas in flight when it stopped
 * or was killed are recovered at the next start (closed or compensated with their participants). The recovery manager runs, so a failed compensation is retried every
 * {@link #RECOVERY_PERIOD_SECONDS} seconds, as a deployed coordinator would (every 2 minutes by default).
 *
 * <p>Narayana's configuration and recovery manager are JVM-wide singletons: one coordinator per JVM.
 */
public final class EmbeddedLraCoordinator implements AutoCloseable {

    /** How often the recovery manager retries the compensations and completions that failed. */
    public static final int RECOVERY_PERIOD_SECONDS = 2;

    private final UndertowJaxrsServer server;
    private final int port;
    private final Path storeDir;
    private final boolean keepData;

    private EmbeddedLraCoordinator(UndertowJaxrsServer server, int port, Path storeDir, boolean keepData) {
        this.server = server;
        this.port = port;
        this.storeDir = storeDir;
        this.keepData = keepData;
    }

    /** Port 0 means any free port; a fresh log. */
    public static EmbeddedLraCoordinator start(int port, Path workDir) throws IOException {
        return start(port, workDir, false);
    }

    /** Port 0 means any free port; {@code keepData}: the log of an earlier run on this port, kept at the stop. */
    public static synchronized EmbeddedLraCoordinator start(int port, Path workDir, boolean keepData) throws IOException {
        int httpPort = port > 0 ? port : FreePorts.find();
        Path storeDir = workDir.resolve("lra-" + httpPort);
        if (!keepData) {
            FileTree.delete(storeDir);
        }
        Files.createDirectories(storeDir);
        configureNarayana(storeDir);

        // What the coordinator's AppContextListener does in a servlet container: the LRA record types, then
        // the recovery manager (with the LRA recovery module), before the first request
        Implementations.install();
        RecoveryManager.manager();
        LRARecoveryModule.getInstance();

        ResteasyDeployment deployment = new ResteasyDeploymentImpl();
        deployment.getActualResourceClasses().add(Coordinator.class);
        deployment.getActualProviderClasses().add(CoordinatorContainerFilter.class);
        UndertowJaxrsServer server = new UndertowJaxrsServer();
        server.deploy(server.undertowDeployment(deployment)
                .setContextPath("/")
                .setDeploymentName("lra-coordinator")
                .setClassLoader(EmbeddedLraCoordinator.class.getClassLoader()));
        server.start(Undertow.builder().addHttpListener(httpPort, "localhost"));
        return new EmbeddedLraCoordinator(server, httpPort, storeDir, keepData);
    }

    private static void configureNarayana(Path storeDir) {
        String dir = storeDir.toString();
        // The default store (the LRA logs) and the two auxiliary ones Narayana keeps
        arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(dir);
        // No listening sockets besides the HTTP port: the recovery listener (4712) and the transaction status
        // manager serve out-of-process recovery tools this coordinator does not use
        recoveryPropertyManager.getRecoveryEnvironmentBean().setRecoveryListener(false);
        arjPropertyManager.getCoordinatorEnvironmentBean().setTransactionStatusManagerEnable(false);
        recoveryPropertyManager.getRecoveryEnvironmentBean().setPeriodicRecoveryPeriod(RECOVERY_PERIOD_SECONDS);
        recoveryPropertyManager.getRecoveryEnvironmentBean().setRecoveryBackoffPeriod(1);
    }

    /** What camel-lra's {@code coordinator-url} is set to. */
    public String url() {
        return "http://localhost:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public synchronized void close() throws IOException {
        server.stop();
        RecoveryManager.manager().terminate();
        Implementations.uninstall();
        if (!keepData) {
            FileTree.delete(storeDir);
        }
    }
}
