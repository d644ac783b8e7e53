package com.insurancehub.hub.customer;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;

import static org.assertj.core.api.Assertions.assertThat;

/** F04 on real parts: the portal's customer creation, matched into one golden record by the Customer Hub. */
@HubIntegrationTest
class CustomerApiIntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void theSamePersonSentTwiceWithCaseAndSpacingVariantsGetsOneCustomerId() {
        String user = "grace." + UUID.randomUUID().toString().substring(0, 8);
        HubApi api = new HubApi(port);

        HubApi.Response first = api.post("/api/customers", """
                {"firstName":"Grace","lastName":"Hopper","email":"%s@example.com","birthDate":"1906-12-09"}""".formatted(user));
        HubApi.Response second = api.post("/api/customers", """
                {"firstName":" GRACE ","lastName":"hopper ","email":"%s@EXAMPLE.com","birthDate":"1906-12-09"}"""
                .formatted(user.toUpperCase()));

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.body().get("matched").asBoolean()).isFalse();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().get("matched").asBoolean()).isTrue();
        assertThat(second.body().get("customerId").asText()).isEqualTo(first.body().get("customerId").asText());
    }

    @Test
    void anInvalidPersonIsA400NamingTheField() {
        HubApi.Response response = new HubApi(port).post("/api/customers",
                "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\",\"birthDate\":\"10/12/1990\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("errors").get(0).get("field").asText()).isEqualTo("$.birthDate");
    }
}
