package dev.tollgate.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** How long a verified token is trusted without verifying it again, and how the cache stays bounded. */
class VerifiedTokensTest {

    static final long T0 = 1_800_000_000_000L;

    final AtomicLong now = new AtomicLong(T0);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The key ids the provider publishes now, as far as the cache knows. */
    final Set<String> publishedKeyIds = new HashSet<>(Set.of("key-1", "key-2"));

    VerifiedTokens cache(Duration ttl, int maxSize) {
        // Tokens without a key id (most here) are trusted as with a key configured locally.
        return VerifiedTokens.of(ttl, maxSize, registry, now::get, keyId -> keyId == null || publishedKeyIds.contains(keyId));
    }

    /** A token-shaped string whose header names a key id. */
    static String signedWith(String keyId, String rest) {
        String header = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"alg\":\"RS256\",\"kid\":\"" + keyId + "\"}").getBytes(StandardCharsets.UTF_8));
        return header + "." + rest;
    }

    static SecurityIdentity identity(String subject, long expSeconds) {
        JsonWebToken jwt = new JsonWebToken() {
            final Map<String, Object> claims = expSeconds == 0 ? Map.of("sub", subject)
                    : Map.of("sub", subject, "exp", expSeconds);

            @Override
            public String getName() {
                return subject;
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @SuppressWarnings("unchecked")
            @Override
            public <T> T getClaim(String name) {
                return (T) claims.get(name);
            }
        };
        return QuarkusSecurityIdentity.builder().setPrincipal(jwt).addRole("user").build();
    }

    static long inSeconds(long millis) {
        return (T0 + millis) / 1000;
    }

    double counted(String result) {
        return registry.counter("tollgate.auth.token_cache", "result", result).count();
    }

    @Test
    void aRememberedTokenIsFoundUntilTheTtlEnds() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 100);
        SecurityIdentity identity = identity("alice", inSeconds(3_600_000));
        cache.remember("token-a", identity);

        assertThat(cache.find("token-a")).containsSame(identity);
        now.set(T0 + 59_999);
        assertThat(cache.find("token-a")).containsSame(identity);
        now.set(T0 + 60_000);
        assertThat(cache.find("token-a")).isEmpty();
        assertThat(cache.size()).isZero();
        assertThat(counted("hit")).isEqualTo(2);
        assertThat(counted("miss")).isEqualTo(1);
    }

    @Test
    void neverAtOrPastTheTokensOwnExpiry() {
        VerifiedTokens cache = cache(Duration.ofMinutes(5), 100);
        cache.remember("token-a", identity("alice", inSeconds(10_000)));

        now.set(T0 + 9_999);
        assertThat(cache.find("token-a")).isPresent();
        now.set(T0 + 10_000);
        assertThat(cache.find("token-a")).isEmpty();
    }

    @Test
    void usingATokenAgainDoesNotExtendHowLongItIsTrusted() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 100);
        SecurityIdentity first = identity("alice", inSeconds(3_600_000));
        cache.remember("token-a", first);
        now.set(T0 + 50_000);
        cache.remember("token-a", identity("alice", inSeconds(3_600_000)));

        assertThat(cache.find("token-a")).containsSame(first);
        now.set(T0 + 60_000);
        assertThat(cache.find("token-a")).isEmpty();
    }

    @Test
    void onlyTheExactStringIsFound() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 100);
        cache.remember("header.claims.signature", identity("alice", inSeconds(3_600_000)));

        assertThat(cache.find("header.claims.signaturX")).isEmpty();
        assertThat(cache.find("header.claims.signature ")).isEmpty();
        assertThat(cache.find(null)).isEmpty();
    }

    @Test
    void tokensWithoutAFutureExpiryAreNotRemembered() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 100);
        cache.remember("no-exp", identity("alice", 0));
        cache.remember("expired", identity("alice", inSeconds(-1_000)));
        cache.remember("expiring-now", identity("alice", inSeconds(0)));

        assertThat(cache.size()).isZero();
    }

    @Test
    void anExpiryTooFarToCountInMillisecondsIsCappedByTheTtl() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 100);
        cache.remember("token-a", identity("alice", Long.MAX_VALUE / 10));

        assertThat(cache.find("token-a")).isPresent();
        now.set(T0 + 60_000);
        assertThat(cache.find("token-a")).isEmpty();
    }

    @Test
    void aZeroTtlTurnsTheCacheOff() {
        VerifiedTokens cache = cache(Duration.ZERO, 100);
        cache.remember("token-a", identity("alice", inSeconds(3_600_000)));

        assertThat(cache.size()).isZero();
        assertThat(cache.find("token-a")).isEmpty();
    }

    @Test
    void staysWithinItsSizeDroppingInvalidEntriesFirst() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 3);
        cache.remember("old-1", identity("a", inSeconds(3_600_000)));
        cache.remember("old-2", identity("b", inSeconds(3_600_000)));
        now.set(T0 + 30_000);
        cache.remember("new-3", identity("c", inSeconds(3_600_000)));
        now.set(T0 + 60_000);
        cache.remember("new-4", identity("d", inSeconds(3_600_000)));

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.find("new-3")).isPresent();
        assertThat(cache.find("new-4")).isPresent();

        cache.remember("new-5", identity("e", inSeconds(3_600_000)));
        cache.remember("new-6", identity("f", inSeconds(3_600_000)));
        assertThat(cache.size()).isLessThanOrEqualTo(3);
        assertThat(cache.find("new-6")).isPresent();
    }

    @Test
    void aTokenWhoseSigningKeyLeftTheProvidersKeySetIsDroppedOnItsNextUse() {
        VerifiedTokens cache = cache(Duration.ofSeconds(60), 100);
        String withdrawnKeysToken = signedWith("key-1", "claims.signature");
        String remainingKeysToken = signedWith("key-2", "claims.signature");
        cache.remember(withdrawnKeysToken, identity("alice", inSeconds(3_600_000)));
        cache.remember(remainingKeysToken, identity("bob", inSeconds(3_600_000)));
        assertThat(cache.find(withdrawnKeysToken)).isPresent();

        publishedKeyIds.remove("key-1");

        assertThat(cache.find(withdrawnKeysToken)).isEmpty();
        assertThat(cache.find(remainingKeysToken)).isPresent();
        assertThat(cache.size()).isEqualTo(1);
        publishedKeyIds.add("key-1");
        assertThat(cache.find(withdrawnKeysToken)).as("dropped, not merely hidden").isEmpty();
    }

    @Test
    void aTokenSignedWithAKeyIdTheCacheDoesNotTrustOrWithoutOneIsNotRemembered() {
        VerifiedTokens cache = VerifiedTokens.of(Duration.ofSeconds(60), 100, registry, now::get, publishedKeyIds::contains);
        cache.remember(signedWith("key-9", "claims.signature"), identity("alice", inSeconds(3_600_000)));
        cache.remember("no-header-at-all", identity("alice", inSeconds(3_600_000)));
        cache.remember(signedWith("key-2", "claims.signature"), identity("alice", inSeconds(3_600_000)));

        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void readsTheKeyIdFromTheTokensHeader() {
        assertThat(VerifiedTokens.keyId(signedWith("key-1", "claims.signature"))).isEqualTo("key-1");
        assertThat(VerifiedTokens.keyId("eyJhbGciOiJSUzI1NiJ9.claims.signature")).as("no kid").isNull();
        assertThat(VerifiedTokens.keyId("not a token")).isNull();
        assertThat(VerifiedTokens.keyId("%%%.claims.signature")).isNull();
        assertThat(VerifiedTokens.keyId(".claims.signature")).isNull();
    }
}
