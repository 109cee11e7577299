package dev.tollgate.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.vertx.mutiny.core.buffer.Buffer;

/** The key ids of the provider's key set as OIDC last fetched it, and the refresh interval's lower bound. */
class SigningKeysTest {

    final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void beforeAnyKeySetEveryKeyIdIsTrusted() {
        SigningKeys keys = SigningKeys.of(now::get);

        assertThat(keys.trusts("anything")).isTrue();
        assertThat(keys.trusts(null)).isTrue();
        assertThat(keys.ageMillis()).isEmpty();
    }

    @Test
    void afterAKeySetOnlyItsKeyIdsAreTrusted() {
        SigningKeys keys = SigningKeys.of(now::get);
        keys.fetched(Set.of("k1", "k2"));

        assertThat(keys.trusts("k1")).isTrue();
        assertThat(keys.trusts("k3")).isFalse();
        assertThat(keys.trusts(null)).isFalse();

        keys.fetched(Set.of("k2", "k3"));
        assertThat(keys.trusts("k1")).isFalse();
        assertThat(keys.trusts("k3")).isTrue();
    }

    @Test
    void countsTheKeySetsAgeFromItsLastFetch() {
        SigningKeys keys = SigningKeys.of(now::get);
        keys.fetched(Set.of("k1"));
        now.addAndGet(4_000);
        assertThat(keys.ageMillis()).hasValue(4_000);

        keys.fetched(Set.of("k1"));
        assertThat(keys.ageMillis()).hasValue(0);
    }

    @Test
    void readsTheKeyIdsOfAJwksDocument() {
        assertThat(SigningKeys.keyIds(Buffer.buffer("{\"keys\":[{\"kid\":\"a\",\"kty\":\"RSA\"},{\"kty\":\"RSA\"},{\"kid\":\"b\"}]}")))
                .hasValue(Set.of("a", "b"));
        assertThat(SigningKeys.keyIds(Buffer.buffer("{\"keys\":[]}"))).hasValue(Set.of());
        assertThat(SigningKeys.keyIds(Buffer.buffer("{\"keys\":[\"a\", 1, {\"kid\": 7}]}"))).hasValue(Set.of());
        assertThat(SigningKeys.keyIds(Buffer.buffer("{}"))).isEmpty();
        assertThat(SigningKeys.keyIds(Buffer.buffer("[1]"))).isEmpty();
        assertThat(SigningKeys.keyIds(Buffer.buffer("<html>"))).isEmpty();
        assertThat(SigningKeys.keyIds(null)).isEmpty();
    }

    @Test
    void theRefreshIntervalIsAtLeastTheForcedRefreshInterval() {
        SigningKeyRefresh.requireRefreshIntervalAtLeastForced(Duration.ofMinutes(5), Duration.ofSeconds(5));
        SigningKeyRefresh.requireRefreshIntervalAtLeastForced(Duration.ofSeconds(5), Duration.ofSeconds(5));

        assertThatThrownBy(() -> SigningKeyRefresh.requireRefreshIntervalAtLeastForced(Duration.ofMinutes(5), Duration.ofMinutes(10)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("forced-jwk-refresh-interval");
        assertThatThrownBy(() -> SigningKeyRefresh.requireRefreshIntervalAtLeastForced(Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalStateException.class);
    }
}
