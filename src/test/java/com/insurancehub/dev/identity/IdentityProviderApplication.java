package com.insurancehub.dev.identity;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * The local stack's identity provider: a real OAuth 2.1 / OpenID Connect authorization server (Spring Authorization
 * Server), default port 9000, with the clients of {@code identity-provider.yaml} (web portal, mobile app, partner
 * broker, operator) and their scopes. The hub trusts its JWTs through its JWKS, like any provider's; the same
 * clients as a Keycloak realm are in {@code docker/keycloak/insurance-realm.json}.
 *
 * <p>Not a {@code @SpringBootApplication}, for the reason the mocks are not: Camel and the hub's beans are on the
 * same classpath. Its signing key is new at every start, so tokens do not outlive it.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@ImportAutoConfiguration({
        PropertyPlaceholderAutoConfiguration.class,
        ServletWebServerFactoryAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class})
public class IdentityProviderApplication {

    /** Starts it on the given port (0: any) with the given extra settings, e.g. another client for the tests. */
    public static ConfigurableApplicationContext start(int port, String bindAddress, Map<String, Object> extra) {
        Map<String, Object> props = new java.util.HashMap<>(extra);
        props.put("server.port", port);
        props.put("server.address", bindAddress);
        return new SpringApplicationBuilder(IdentityProviderApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties(Map.of("spring.config.name", "identity-provider"))
                .initializers(context -> context.getEnvironment().getPropertySources()
                        .addFirst(new MapPropertySource("identity-provider-runtime", props)))
                .logStartupInfo(false)
                .registerShutdownHook(false)
                .run();
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityFilterChain authorizationServerEndpoints(HttpSecurity http) throws Exception {
        OAuth2AuthorizationServerConfigurer authorizationServer = OAuth2AuthorizationServerConfigurer.authorizationServer();
        http.securityMatcher(authorizationServer.getEndpointsMatcher())
                .with(authorizationServer, server -> server.oidc(Customizer.withDefaults()))
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                // a browser asking to authorize a portal or app login is sent to the login page
                .exceptionHandling(errors -> errors.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"), new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain userLogin(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .build();
    }

    /** The people who log in through the portal or the app (authorization code flow): demo customers. */
    @Bean
    UserDetailsService customers(Environment env) {
        return new InMemoryUserDetailsManager(User.withUsername(env.getRequiredProperty("idp.demo-user.username"))
                .password("{noop}" + env.getRequiredProperty("idp.demo-user.password")).roles("CUSTOMER").build());
    }

    @Bean
    RegisteredClientRepository clients(Environment env) {
        Map<String, ClientProperties> clients = Binder.get(env)
                .bind("idp.clients", Bindable.mapOf(String.class, ClientProperties.class)).orElse(Map.of());
        Duration tokenLifetime = env.getRequiredProperty("idp.access-token-lifetime", Duration.class);
        return new InMemoryRegisteredClientRepository(clients.entrySet().stream()
                .map(c -> c.getValue().toRegisteredClient(c.getKey(), tokenLifetime)).toList());
    }

    /** {@code client_id} in every access token: the hub's rate limits count per client, whoever the user. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> clientIdClaim() {
        return context -> {
            if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
                context.getClaims().claim("client_id", context.getRegisteredClient().getClientId());
            }
        };
    }

    @Bean
    JWKSource<SecurityContext> signingKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        RSAKey key = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).privateKey((RSAPrivateKey) keys.getPrivate())
                .keyID(UUID.randomUUID().toString()).build();
        return new ImmutableJWKSet<>(new JWKSet(key));
    }

    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> signingKey) {
        return OAuth2AuthorizationServerConfiguration.jwtDecoder(signingKey);
    }

    @Bean
    AuthorizationServerSettings settings(Environment env) {
        return AuthorizationServerSettings.builder().issuer(env.getRequiredProperty("idp.issuer")).build();
    }

    /** One client of identity-provider.yaml. No secret: a public client (browser, app), which must use PKCE. */
    public static class ClientProperties {
        private String secret;
        private List<String> grantTypes = List.of();
        private List<String> scopes = List.of();
        private List<String> redirectUris = List.of();
        private Duration accessTokenLifetime;

        RegisteredClient toRegisteredClient(String clientId, Duration defaultLifetime) {
            RegisteredClient.Builder client = RegisteredClient.withId(clientId).clientId(clientId)
                    .tokenSettings(TokenSettings.builder().accessTokenTimeToLive(
                            accessTokenLifetime != null ? accessTokenLifetime : defaultLifetime).build());
            if (secret == null || secret.isBlank()) {
                client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                        .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build());
            } else {
                client.clientSecret("{noop}" + secret).clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
            }
            grantTypes.forEach(g -> client.authorizationGrantType(new AuthorizationGrantType(g)));
            scopes.forEach(client::scope);
            redirectUris.forEach(client::redirectUri);
            return client.build();
        }

        public void setAccessTokenLifetime(Duration accessTokenLifetime) {
            this.accessTokenLifetime = accessTokenLifetime;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        public void setGrantTypes(List<String> grantTypes) {
            this.grantTypes = grantTypes;
        }

        public void setScopes(List<String> scopes) {
            this.scopes = scopes;
        }

        public void setRedirectUris(List<String> redirectUris) {
            this.redirectUris = redirectUris;
        }
    }
}
