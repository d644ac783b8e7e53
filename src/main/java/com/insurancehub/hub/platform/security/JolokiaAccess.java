package com.insurancehub.hub.platform.security;

import java.util.Set;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;
import org.springframework.stereotype.Component;

/**
 * What Jolokia (and so Hawtio) may do once the edge has let an operator in: read and list every MBean, run the
 * operations of Camel's and Hawtio's own MBeans that manage routes (start, stop, trace, debug), and nothing that
 * reaches past them. Jolokia registers this bean as its restrictor (jolokia-support-springboot looks one up).
 *
 * <p>Refused: attribute writes; every operation outside the {@code org.apache.camel}, {@code hawtio} and
 * {@code jolokia} domains (heap dumps that write files, diagnostic commands that load agents, logback reloads from a
 * URL, MLet); and, on Camel's MBeans, whatever sends to or creates an endpoint ({@code sendBody},
 * {@code requestStringBody("jdbc:...")}, {@code createEndpoint}), adds or changes routes from XML, evaluates
 * expressions, resolves property placeholders (secrets), or stops the whole context. Reads of the JVM's system
 * properties and arguments, where secrets may sit, are refused too. Cross-origin requests never get here (the edge
 * refuses them), and Jolokia sends no CORS header.
 */
@Component
public class JolokiaAccess implements Restrictor {

    private static final Set<String> EXEC_DOMAINS = Set.of("org.apache.camel", "hawtio", "jolokia");
    private static final Pattern CAMEL_REFUSED = Pattern.compile(
            "(?i)^(send|request|createEndpoint|removeEndpoints|addOrUpdate|addRoute|updateRoute|removeRoute|loadRoutes"
                    + "|evaluate|resolve|invoke|execute|shutdown|suspend).*|.*FromXml$");
    private static final Set<String> HIDDEN_RUNTIME_ATTRIBUTES = Set.of("SystemProperties", "InputArguments");

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return type != RequestType.WRITE;
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return !("java.lang".equals(name.getDomain()) && "Runtime".equals(name.getKeyProperty("type"))
                && (attribute == null || HIDDEN_RUNTIME_ATTRIBUTES.contains(attribute)));
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operationOrSignature) {
        String operation = operationOrSignature.contains("(") // Jolokia passes "stop()" when the caller names one
                ? operationOrSignature.substring(0, operationOrSignature.indexOf('(')).trim() : operationOrSignature;
        if (!EXEC_DOMAINS.contains(name.getDomain())) {
            return false;
        }
        if (!"org.apache.camel".equals(name.getDomain())) {
            return true;
        }
        if ("context".equals(name.getKeyProperty("type")) && ("stop".equals(operation) || "start".equals(operation))) {
            return false; // the whole hub; routes are stopped and started one by one
        }
        return !CAMEL_REFUSED.matcher(operation).matches();
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return true; // who may connect is the edge's decision (EdgeSecurityConfiguration)
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean strictCheck) {
        // strict: the request came through the edge, which refuses other origins; not strict: Jolokia asks whether to
        // answer with CORS headers, which would let another origin read the answer: never
        return strictCheck;
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return false;
    }
}
