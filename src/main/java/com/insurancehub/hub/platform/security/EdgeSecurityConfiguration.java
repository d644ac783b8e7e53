package com.insurancehub.hub.platform.security;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * The hub's edge (F07): who may call what.
 *
 * <ul>
 *   <li>The APIs are an OAuth2 resource server: a JWT of the identity provider ({@code hub.security.issuer}, checked
 *       against its JWKS) whose scopes name the API family: quotes, customers, policies, claims, payments, reports, audit; {@code admin}
 *       for the admin API, dead letters, every actuator endpoint but health and prometheus, Hawtio and Jolokia.
 *       Anonymous: a price (quote creation and reads) and health, as a portal visitor would need. Without a token
 *       401, without the scope 403, both problem+json.</li>
 *   <li>The operator console (Hawtio, Jolokia) also takes the operator's login (form or basic, password
 *       {@code hub.security.operator.password} from the environment; none set, no login), with CSRF protection for
 *       the browser session. What Jolokia may then do is {@link JolokiaAccess}'s decision.</li>
 *   <li>Same origin only: no CORS configuration allows any other origin, so a cross-origin request is refused (403)
 *       before it reaches a route or Jolokia; a web page the operator visits cannot drive the hub.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class EdgeSecurityConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeSecurityConfiguration.class);
    static final String ADMIN = "SCOPE_admin";
    static final String OPERATOR = "ROLE_OPERATOR";
    private static final String[] CONSOLE = {"/actuator/hawtio/**", "/actuator/jolokia/**", "/login", "/logout",
            // O04: the live view and the traffic simulator, the operator's too
            "/live", "/live/**", "/api/live/**", "/api/simulator/**"};

    @Bean
    @Order(1)
    SecurityFilterChain operatorConsole(HttpSecurity http, ProblemResponses problems) throws Exception {
        // plain path patterns: Jolokia is a servlet of its own, which Spring MVC's matchers do not see
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return http.securityMatcher(new OrRequestMatcher(Arrays.stream(CONSOLE)
                        .map(pattern -> (RequestMatcher) paths.matcher(pattern)).toList()))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(paths.matcher("/login"), paths.matcher("/logout")).permitAll()
                        .anyRequest().hasAnyAuthority(OPERATOR, ADMIN))
                .formLogin(form -> form.defaultSuccessUrl("/actuator/hawtio/", false))
                .httpBasic(Customizer.withDefaults())
                .oauth2ResourceServer(jwt -> jwt.jwt(Customizer.withDefaults()).authenticationEntryPoint(problems))
                // The login form carries a CSRF token; a script with a bearer token or basic credentials carries no
                // ambient authority, so needs none. Hawtio's Jolokia calls (to /actuator/jolokia or through its own
                // /actuator/hawtio/jolokia) echo no token: for them the session cookie is SameSite=Strict (a cross-site
                // request does not carry it) and a request from another origin is refused by CORS before Jolokia.
                .csrf(csrf -> csrf
                        .ignoringRequestMatchers(request -> request.getHeader("Authorization") != null)
                        .ignoringRequestMatchers(paths.matcher("/actuator/jolokia/**"), paths.matcher("/actuator/hawtio/jolokia/**")))
                .cors(Customizer.withDefaults())
                // a browser is sent to the login page; anything else (Jolokia clients, Hawtio's XHRs) gets a 401 problem
                .exceptionHandling(errors -> errors.accessDeniedHandler(problems)
                        .defaultAuthenticationEntryPointFor(problems, request -> !String.valueOf(request.getHeader("Accept")).contains("text/html")))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain api(HttpSecurity http, ProblemResponses problems) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        // a portal visitor asking for a price
                        .requestMatchers(HttpMethod.POST, "/api/quotes").permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/quotes/*").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll()
                        // the API's documentation (ApiDocumentationController): public like any API reference
                        .requestMatchers(HttpMethod.GET, "/api/openapi.json", "/api/docs", "/webjars/swagger-ui/**").permitAll()
                        // the error answer of a request already refused (ProblemErrorController: problem+json, no details)
                        .requestMatchers("/error").permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/quotes/*/subscribe").hasAuthority("SCOPE_policies")
                        .requestMatchers("/api/customers", "/api/customers/**").hasAuthority("SCOPE_customers")
                        .requestMatchers("/api/policies/**").hasAuthority("SCOPE_policies")
                        .requestMatchers("/api/claims", "/api/claims/**").hasAuthority("SCOPE_claims")
                        .requestMatchers("/api/payments", "/api/payments/**").hasAuthority("SCOPE_payments")
                        // F05: the web portal's and the mobile app's screens (a logged-in customer: both clients hold policies)
                        .requestMatchers("/api/bff/**").hasAuthority("SCOPE_policies")
                        .requestMatchers("/api/admin/**", "/api/dead-letters", "/api/dead-letters/**").hasAuthority(ADMIN)
                        // D05 real-time reports, D06 the CDC audit trail: their own scopes, or admin
                        .requestMatchers("/api/reports/**").hasAnyAuthority("SCOPE_reports", ADMIN)
                        .requestMatchers("/api/audit-trail").hasAnyAuthority("SCOPE_audit", ADMIN)
                        .requestMatchers("/actuator/**").hasAuthority(ADMIN)
                        // the LRA coordinator's calls back to the subscription saga's participants (profile lra)
                        .requestMatchers("/lra-participant/**").permitAll()
                        // unknown paths answer 404 to a caller with a token, 401 to anyone else
                        .anyRequest().authenticated())
                .oauth2ResourceServer(jwt -> jwt.jwt(Customizer.withDefaults()).authenticationEntryPoint(problems))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable()) // bearer tokens only: no cookie a forged request could ride on
                .cors(Customizer.withDefaults())
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .build();
    }

    /**
     * JWTs of {@code hub.security.issuer}: signed by a key of its JWKS ({@code hub.security.jwk-set-uri}, fetched on first use, so the hub starts without
     * its provider), that issuer, and within their validity give or take {@code hub.security.clock-skew}. A token's
     * signature is checked on its first use only ({@link VerifiedTokenCache}, {@code hub.security.verified-tokens}).
     */
    @Bean
    JwtDecoder jwtDecoder(@Value("${hub.security.issuer}") String issuer,
                          @Value("${hub.security.jwk-set-uri}") String jwkSetUri,
                          @Value("${hub.security.clock-skew}") Duration clockSkew,
                          @Value("${hub.security.verified-tokens.max-size}") long verifiedTokens,
                          @Value("${hub.security.verified-tokens.ttl}") Duration verifiedTokenTtl) {
        OAuth2TokenValidator<Jwt> validator = new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(clockSkew), new JwtIssuerValidator(issuer));
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri).build();
        decoder.setJwtValidator(validator);
        return verifiedTokens > 0 ? new VerifiedTokenCache(decoder, validator, verifiedTokens, verifiedTokenTtl) : decoder;
    }

    /**
     * Spring Security would observe each filter of its chain, the authentication and the authorization on every
     * request: a Micrometer observation (and a trace span) each, a tenth of what a quote allocated
     * (docs/performance.md, "The quote path at 100 req/s"). The request's own observation (http.server.requests, its
     * metrics and span) stays; the rate-limit checks and the edge's refusals have their own metrics.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** No origin is allowed: a cross-origin request (one whose Origin is not the hub's own) is refused. */
    @Bean
    CorsConfigurationSource corsConfigurationSource() { // the name Spring Security looks up
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", new CorsConfiguration());
        return source;
    }

    /** The operator's console login; without a configured password nobody logs in (tokens with admin still work). */
    @Bean
    UserDetailsService operator(@Value("${hub.security.operator.username}") String username,
                                @Value("${hub.security.operator.password:}") String password) {
        if (password.isBlank()) {
            LOG.info("No hub.security.operator.password: the console takes admin tokens only");
            password = UUID.randomUUID() + UUID.randomUUID().toString(); // never told to anyone
        }
        return new InMemoryUserDetailsManager(User.withUsername(username)
                .password(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(password))
                .authorities(OPERATOR).build());
    }
}
