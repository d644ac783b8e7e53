package com.insurancehub.hub.customer;

import org.apache.camel.Message;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of post-customer-api and create-customer (F04), the Customer Hub and the CustomerRegistered publication
 * (D08) replaced by mock endpoints.
 */
@RouteDomains("customer")
class CustomerRoutesTest extends RouteTestSupport {

    private static final String PERSON = "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\",\"birthDate\":\"1990-12-10\"}";

    @Override
    protected void adviceRoutes() {
        route("create-customer").mockCall("match-or-create-in-customer-hub", "customer-hub")
                .mockCall("publish-customer-registered", "customer-events");
    }

    @Test
    void theGoldenRecordIdIsAnsweredWithTheCustomerHubsStatus() {
        answer("customer-hub", 200, "{\"customerId\":\"C-1\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                + "\"email\":\"ada@example.com\",\"birthDate\":\"1990-12-10\",\"matched\":true,\"internal\":\"x\"}");

        HubApi.Response response = new HubApi(port).post("/api/customers", PERSON);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("customerId").asText()).isEqualTo("C-1");
        assertThat(response.body().get("matched").asBoolean()).isTrue();
        assertThat(response.body().has("internal")).isFalse();
        // D08: the golden record, published for the customer 360 read model, keyed by the customer
        assertThat(mock("customer-events").getReceivedCounter()).isEqualTo(1);
        Message published = mock("customer-events").getReceivedExchanges().get(0).getMessage();
        assertThat(published.getHeader("aggregateId", String.class)).isEqualTo("C-1");
        assertThat(published.getBody(String.class)).contains("\"customerId\":\"C-1\"").contains("\"lastName\":\"Lovelace\"")
                .doesNotContain("internal");
    }

    @Test
    void anInvalidPersonIsA400AndNeverReachesTheCustomerHub() {
        HubApi.Response response = new HubApi(port).post("/api/customers", "{\"firstName\":\"Ada\",\"email\":\"not-an-email\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("detail").asText()).contains("$.lastName").contains("$.email");
        assertThat(mock("customer-hub").getReceivedCounter()).isZero();
        assertThat(mock("customer-events").getReceivedCounter()).isZero();
    }
}
