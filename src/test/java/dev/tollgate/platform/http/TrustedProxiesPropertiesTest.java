package dev.tollgate.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a client writes into X-Forwarded-For, and however many trusted proxies append to it,
 * the client IP is the address the first trusted proxy saw.
 */
class TrustedProxiesPropertiesTest {

    static final TrustedProxies PROXIES = TrustedProxies.of(List.of("127.0.0.1", "::1", "10.0.0.0/8"));

    @Property(tries = 500)
    void theClientCannotChooseItsAddress(@ForAll @Size(max = 6) List<@From("forged") String> forged,
            @ForAll("publicAddresses") String client, @ForAll @IntRange(min = 0, max = 4) int proxiesInFront,
            @ForAll("proxyAddresses") String proxy) {
        List<String> entries = new ArrayList<>(forged);
        entries.add(client);
        for (int i = 0; i < proxiesInFront; i++) {
            entries.add(proxy);
        }
        assertThat(PROXIES.clientIp("127.0.0.1", List.of(String.join(", ", entries)))).isEqualTo(client);
    }

    @Property(tries = 200)
    void anUntrustedPeerIsAlwaysTheClient(@ForAll @Size(max = 6) List<@From("forged") String> forged,
            @ForAll("publicAddresses") String peer) {
        assertThat(PROXIES.clientIp(peer, List.of(String.join(", ", forged)))).isEqualTo(peer);
    }

    @Provide
    Arbitrary<String> forged() {
        return Arbitraries.oneOf(publicAddresses(), proxyAddresses(), Arbitraries.of("unknown", "", " ", "::1", "[::1]:80"),
                Arbitraries.strings().ofMaxLength(20).map(s -> s.replace(",", "")));
    }

    @Provide
    Arbitrary<String> publicAddresses() {
        return Arbitraries.integers().between(11, 126).flatMap(a -> Arbitraries.integers().between(0, 255)
                .map(b -> a + ".20." + b + "." + (b % 200 + 1)));
    }

    @Provide
    Arbitrary<String> proxyAddresses() {
        return Arbitraries.integers().between(0, 255).map(b -> "10.4." + b + ".7");
    }
}
