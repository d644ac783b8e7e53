package com.insurancehub.hub.platform.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

/** O04: who may drive the simulator (hub.simulator.allowed-callers). */
class AllowedCallersTest {

    private static final AllowedCallers DEFAULT = AllowedCallers.of(List.of("127.0.0.0/8", "::1"));
    private static final AllowedCallers COMPOSE = AllowedCallers.of(List.of("127.0.0.0/8", "::1", "172.30.80.0/24", "fd00:1::/64"));

    @Test
    void byDefaultOnlyTheHubsOwnMachine() {
        assertThat(DEFAULT.allows("127.0.0.1")).isTrue();
        assertThat(DEFAULT.allows("127.12.0.9")).isTrue();
        assertThat(DEFAULT.allows("::1")).isTrue();
        assertThat(DEFAULT.allows("0:0:0:0:0:0:0:1")).isTrue(); // Tomcat's spelling
        assertThat(DEFAULT.allows("[::1]")).isTrue();
        assertThat(DEFAULT.allows("::ffff:127.0.0.1")).isTrue(); // IPv4-mapped
        assertThat(DEFAULT.allows("192.168.1.20")).isFalse();
        assertThat(DEFAULT.allows("128.0.0.1")).isFalse();
        assertThat(DEFAULT.allows("::2")).isFalse();
        assertThat(DEFAULT.allows("fe80::1%eth0")).isFalse();
    }

    @Test
    void aSubnetAllowsItsAddressesOnlyV4AndV6() {
        assertThat(COMPOSE.allows("172.30.80.1")).isTrue(); // the bridge's gateway: a browser on the host
        assertThat(COMPOSE.allows("172.30.80.254")).isTrue();
        assertThat(COMPOSE.allows("172.30.81.1")).isFalse();
        assertThat(COMPOSE.allows("172.30.79.255")).isFalse();
        assertThat(COMPOSE.allows("fd00:1::abcd")).isTrue();
        assertThat(COMPOSE.allows("fd00:1:0:1::abcd")).isFalse();
        AllowedCallers oddPrefix = AllowedCallers.of(List.of("10.0.0.0/12"));
        assertThat(oddPrefix.allows("10.15.255.255")).isTrue();
        assertThat(oddPrefix.allows("10.16.0.0")).isFalse();
        assertThat(AllowedCallers.of(List.of("0.0.0.0/0")).allows("203.0.113.7")).isTrue();
        assertThat(AllowedCallers.of(List.of("0.0.0.0/0")).allows("2001:db8::1")).isFalse(); // v4 networks never take v6 callers
    }

    @Test
    void malformedCallersAreRefusedAndNamesNeverResolved() {
        assertThat(DEFAULT.allows(null)).isFalse();
        assertThat(DEFAULT.allows("")).isFalse();
        assertThat(DEFAULT.allows("localhost")).isFalse(); // a name, not looked up
        assertThat(DEFAULT.allows("127.0.0.256")).isFalse();
        assertThat(DEFAULT.allows("127.0.0")).isFalse();
        assertThat(DEFAULT.allows(":::1::")).isFalse();
    }

    @Test
    void aMalformedSettingFailsTheStart() {
        assertThatIllegalArgumentException().isThrownBy(() -> AllowedCallers.of(List.of("localhost"))).withMessageContaining("localhost");
        assertThatIllegalArgumentException().isThrownBy(() -> AllowedCallers.of(List.of("10.0.0.0/33"))).withMessageContaining("prefix");
        assertThatIllegalArgumentException().isThrownBy(() -> AllowedCallers.of(List.of("::1/129")));
        assertThatIllegalArgumentException().isThrownBy(() -> AllowedCallers.of(List.of("10.0.0.0/x")));
        assertThatIllegalArgumentException().isThrownBy(() -> AllowedCallers.of(List.of("300.0.0.0/8")));
        assertThatIllegalArgumentException().isThrownBy(() -> AllowedCallers.of(List.of("fd00::1::2/64")));
    }
}
