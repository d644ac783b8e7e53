package com.insurancehub.hub.support;

import com.insurancehub.dev.DevServices;
import com.insurancehub.testing.JsonHttp;

/** The mocks' admin surface and state, as the tests see them: over HTTP, like any client. */
public final class Mocks {

    private Mocks() {
    }

    public static void faults(String base, int latencyMs, double errorRate, boolean down) {
        call("PUT", base + "/_admin/faults",
                "{\"latencyMs\":" + latencyMs + ",\"errorRate\":" + errorRate + ",\"down\":" + down + "}");
    }

    public static void reset(String base) {
        call("POST", base + "/_admin/reset", "");
    }

    public static long requests(String base) {
        return call("GET", base + "/_admin/stats", null).body().get("requests").asLong();
    }

    public static long failures(String base) {
        return call("GET", base + "/_admin/stats", null).body().get("failures").asLong();
    }

    public static JsonHttp.Response call(String method, String path, String body) {
        return new JsonHttp(DevServices.shared().mocksBaseUrl()).send(method, "/" + path, body);
    }
}
