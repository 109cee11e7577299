package dev.tollgate.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which hop is the client: the rightmost X-Forwarded-For address that is not a trusted proxy,
 * believed only from a trusted peer; whatever the client puts on the left is never read.
 */
class TrustedProxiesTest {

    /** Knative's queue-proxy on the pod's loopback, and a cluster's pod network in front of it. */
    static final TrustedProxies CLUSTER = TrustedProxies.of(List.of("127.0.0.1", "::1", "10.0.0.0/8"));

    @Test
    void withoutTrustedProxiesTheClientIsThePeerWhateverTheHeaderSays() {
        TrustedProxies none = TrustedProxies.of(List.of());
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.clientIp("127.0.0.1", List.of("203.0.113.9"))).isEqualTo("127.0.0.1");
        assertThat(none.clientIp("198.51.100.7", List.of())).isEqualTo("198.51.100.7");
        assertThat(TrustedProxies.of(List.of("", " ")).isEmpty()).isTrue();
    }

    static Stream<Arguments> singleHops() {
        return Stream.of(
                argumentSet("an untrusted peer is the client and its header is ignored",
                        "198.51.100.7", "203.0.113.9", "198.51.100.7"),
                argumentSet("behind one trusted proxy the client is the entry it appended",
                        "127.0.0.1", "203.0.113.9", "203.0.113.9"),
                // client -> gateway (10.4.0.7) -> activator (10.4.1.9) -> queue-proxy (127.0.0.1) -> app
                argumentSet("a chain of trusted proxies is walked from the right",
                        "127.0.0.1", "203.0.113.9, 10.4.0.7, 10.4.1.9", "203.0.113.9"),
                argumentSet("a peer that is no IP address is answered as given",
                        "/var/run/tollgate.sock", "203.0.113.9", "/var/run/tollgate.sock"));
    }

    @ParameterizedTest
    @MethodSource("singleHops")
    void theClientOfOneHeaderLine(String peer, String forwardedFor, String client) {
        assertThat(CLUSTER.clientIp(peer, List.of(forwardedFor))).isEqualTo(client);
    }

    @Test
    void forgedEntriesOnTheLeftAreNeverRead() {
        // The client sent "X-Forwarded-For: 192.0.2.1, 10.0.0.5"; the proxies appended the rest.
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("192.0.2.1, 10.0.0.5, 203.0.113.9, 10.1.2.3")))
                .isEqualTo("203.0.113.9");
        // Whatever the client prepends, the answer is the same.
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("1.1.1.1, 203.0.113.9, 10.1.2.3")))
                .isEqualTo(CLUSTER.clientIp("127.0.0.1", List.of("2.2.2.2, 203.0.113.9, 10.1.2.3")))
                .isEqualTo(CLUSTER.clientIp("127.0.0.1", List.of("203.0.113.9, 10.1.2.3")))
                .isEqualTo("203.0.113.9");
    }

    @Test
    void severalHeaderLinesAreOneListInTheirOrder() {
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("192.0.2.1", "203.0.113.9, 10.4.0.7"))).isEqualTo("203.0.113.9");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("203.0.113.9", "198.51.100.7"))).isEqualTo("198.51.100.7");
    }

    @Test
    void whenEveryEntryIsTrustedTheFarthestIsTheClient() {
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("10.9.9.9, 10.4.0.7"))).isEqualTo("10.9.9.9");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of(""))).isEqualTo("127.0.0.1");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of(" , "))).isEqualTo("127.0.0.1");
    }

    @Test
    void anEntryThatIsNoAddressStopsTheWalkAtTheProxyThatWroteIt() {
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("203.0.113.9, unknown"))).isEqualTo("127.0.0.1");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("203.0.113.9, _hidden, 10.4.0.7"))).isEqualTo("10.4.0.7");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("evil.example.com"))).isEqualTo("127.0.0.1");
    }

    @Test
    void portsBracketsZonesAndIpv6AreUnderstoodAndAnswersAreCanonical() {
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("203.0.113.9:4711"))).isEqualTo("203.0.113.9");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("[2001:DB8:0:0::1]:443"))).isEqualTo("2001:db8::1");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("2001:db8::1"))).isEqualTo("2001:db8::1");
        assertThat(CLUSTER.clientIp("0:0:0:0:0:0:0:1", List.of("2001:db8::2"))).isEqualTo("2001:db8::2");
        assertThat(CLUSTER.clientIp("0:0:0:0:0:0:0:1%0", List.of("2001:db8::2"))).isEqualTo("2001:db8::2");
        // An IPv4-mapped address is its IPv4 address, for the ranges and in the answer.
        assertThat(CLUSTER.clientIp("::ffff:127.0.0.1", List.of("::ffff:203.0.113.9"))).isEqualTo("203.0.113.9");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of("203.0.113.9, ::ffff:10.4.0.7"))).isEqualTo("203.0.113.9");
    }

    @Test
    void rangesMatchTheirPrefixOnly() {
        TrustedProxies proxies = TrustedProxies.of(List.of("192.168.16.0/20", "fd00::/8", "[::1]", "0.0.0.0/32"));
        assertThat(proxies.trusts("192.168.16.1")).isTrue();
        assertThat(proxies.trusts("192.168.31.255")).isTrue();
        assertThat(proxies.trusts("192.168.32.0")).isFalse();
        assertThat(proxies.trusts("192.168.15.255")).isFalse();
        assertThat(proxies.trusts("fd12:3456::1")).isTrue();
        assertThat(proxies.trusts("fe80::1")).isFalse();
        assertThat(proxies.trusts("::1")).isTrue();
        assertThat(proxies.trusts("127.0.0.1")).isFalse();
        assertThat(proxies.trusts("not an address")).isFalse();
        assertThat(TrustedProxies.of(List.of("0.0.0.0/0")).trusts("203.0.113.9")).isTrue();
        assertThat(TrustedProxies.of(List.of("0.0.0.0/0")).trusts("2001:db8::1")).isFalse();
    }

    @Test
    void aMalformedEntryIsRefusedByName() {
        for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "::/129", "10.0.0.1:80", "10.0.0.0/", "10.0.0/8",
                "1.2.3.4/-1", "[10.0.0.1]:80", "fe80::1%eth0")) {
            assertThatThrownBy(() -> TrustedProxies.of(List.of("127.0.0.1", bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void theWalkIsBoundedAndNeverReadsPastItsBound() {
        List<String> hops = new ArrayList<>(Collections.nCopies(TrustedProxies.MAX_HOPS + 10, "10.0.0.1"));
        hops.add(0, "203.0.113.9");
        assertThat(CLUSTER.clientIp("127.0.0.1", List.of(String.join(", ", hops)))).isEqualTo("10.0.0.1");
    }
}
