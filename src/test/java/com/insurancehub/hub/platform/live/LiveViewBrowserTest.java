package com.insurancehub.hub.platform.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Tokens;

/**
 * O04 in a real browser: the operator logs in, opens /live, starts a simulator run with the page's button, and sees
 * events arrive and the flow counters rise; its screenshot goes to target/live-view.png (README's: docs/img).
 */
@HubIntegrationTest
class LiveViewBrowserTest {

    @Value("${local.server.port}")
    int port;

    @Value("${hub.security.operator.password}")
    String operatorPassword;

    @Test
    void theOperatorWatchesASimulatorRunArrive() throws Exception {
        String runId = null;
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.call("Page.enable", java.util.Map.of());
            browser.navigate("http://localhost:" + port + "/live");
            // not logged in: the console's login form, then back to the page
            HeadlessChromium.await(Duration.ofSeconds(5), "the login form",
                    () -> browser.eval("document.readyState === 'complete' && !!document.querySelector('input[name=password]')").asBoolean());
            browser.eval("""
                    document.querySelector('input[name=username]').value = 'operator';
                    document.querySelector('input[name=password]').value = %s;
                    document.querySelector('form').submit(); true""".formatted(
                    new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(operatorPassword)));
            HeadlessChromium.await(Duration.ofSeconds(5), "the live view, connected",
                    () -> browser.eval("location.pathname === '/live/index.html' && document.getElementById('connection')?.textContent === 'live'").asBoolean());

            browser.eval("document.getElementById('duration').value = '20'; document.getElementById('start').click(); true");
            HeadlessChromium.await(Duration.ofSeconds(5), "the run started",
                    () -> browser.eval("document.getElementById('run').textContent").asText().startsWith("NORMAL RUNNING"));
            runId = browser.eval("document.getElementById('run').dataset.id").asText();
            long before = flowTotal(browser);
            HeadlessChromium.await(Duration.ofSeconds(8), "events arriving and the flow counters rising",
                    () -> browser.eval("Number(document.getElementById('events-received').textContent)").asLong() >= 5
                            && flowTotal(browser) > before
                            && browser.eval("document.getElementById('run').textContent").asText().matches(".* ok [1-9].*"));

            // README's picture (docs/img/live-view.png) is refreshed with -Dlive-view.screenshot=docs/img/live-view.png
            Path screenshot = Path.of(System.getProperty("live-view.screenshot", "target/live-view.png"));
            Files.createDirectories(screenshot.getParent());
            Files.write(screenshot, browser.screenshot());
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
            browser.eval("document.getElementById('stop').click(); true");
        } finally {
            if (runId != null) { // stopped by the page's button; if the test failed before, by the API
                HubApi.withToken(port, Tokens.of("operator", "operator-local-only", "admin"))
                        .send("DELETE", "/api/simulator/runs/" + runId, (String) null);
            }
        }
    }

    /** The sum of the page's flow counters. */
    private static long flowTotal(HeadlessChromium browser) throws Exception {
        return browser.eval("[...document.querySelectorAll('#flows td.n')].reduce((s, c) => s + (Number(c.textContent) || 0), 0)").asLong();
    }
}
