package dev.tollgate.platform.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.json.JsonObject;

/**
 * Bearer tokens that OIDC has verified, with the identity it built for each, so that a client
 * sending the same token again (a web app sends one token for all its calls until it expires) is
 * not verified again: an RS256 verification and the parsing of the claims are about a fifth of
 * the CPU a charge costs the application (docs/decisions/0004-verified-token-cache.md).
 *
 * <p>What a cached token is trusted for: exactly the same string that passed the full
 * verification (signature, issuer, audience, expiry, type, issue time), for at most {@code ttl}
 * after that, never at or past its {@code exp} (the tolerance for clock skew OIDC allows past
 * {@code exp} is not extended to the cache), and only while the key it was verified with (its
 * {@code kid}) is in the provider's key set as OIDC last fetched it ({@link SigningKeys}): when
 * the provider withdraws a key, the tokens it signed are dropped on their next use, as OIDC stops
 * trusting the key. A token without a key id is not remembered while OIDC uses the provider's key
 * set. A changed character is another key, so it is verified (and refused) as any other token.
 * Wall-clock time, as OIDC uses it.
 */
@ApplicationScoped
public class VerifiedTokens {

    private record Entry(SecurityIdentity identity, long validUntilMillis, String keyId) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    @Inject
    TokenCacheConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    SigningKeys signingKeys;

    private LongSupplier wallClockMillis = System::currentTimeMillis;
    private Predicate<String> trustedKeyId;
    private long ttlMillis;
    private int maxSize;
    private Counter hits;
    private Counter misses;

    /** A cache outside CDI, with its own clock and its own idea of the keys still trusted (for tests). */
    static VerifiedTokens of(Duration ttl, int maxSize, MeterRegistry registry, LongSupplier wallClockMillis,
            Predicate<String> trustedKeyId) {
        VerifiedTokens cache = new VerifiedTokens();
        cache.registry = registry;
        cache.wallClockMillis = wallClockMillis;
        cache.start(ttl, maxSize, trustedKeyId);
        return cache;
    }

    @PostConstruct
    void init() {
        start(config.ttl(), config.maxSize(), signingKeys::trusts);
    }

    private void start(Duration ttl, int maxSize, Predicate<String> trustedKeyId) {
        this.trustedKeyId = trustedKeyId;
        this.ttlMillis = ttl.isNegative() ? 0 : ttl.toMillis();
        this.maxSize = maxSize;
        hits = Counter.builder("tollgate.auth.token_cache").tag("result", "hit")
                .description("Bearer tokens answered from the cache of verified tokens").register(registry);
        misses = Counter.builder("tollgate.auth.token_cache").tag("result", "miss")
                .description("Bearer tokens not in the cache of verified tokens (verified by OIDC)").register(registry);
    }

    /**
     * The identity OIDC built for this exact token, if it was verified recently, has not expired and
     * its signing key is still the provider's.
     */
    public Optional<SecurityIdentity> find(String token) {
        if (!enabled() || token == null) {
            return Optional.empty();
        }
        Entry entry = entries.get(token);
        if (entry != null && (wallClockMillis.getAsLong() >= entry.validUntilMillis() || !trustedKeyId.test(entry.keyId()))) {
            entries.remove(token, entry);
            entry = null;
        }
        (entry == null ? misses : hits).increment();
        return entry == null ? Optional.empty() : Optional.of(entry.identity());
    }

    /**
     * Remembers the identity OIDC built for a token it has just verified. A token already
     * remembered keeps its first entry: using a token does not extend how long it is trusted.
     */
    public void remember(String token, SecurityIdentity identity) {
        if (!enabled() || token == null || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return;
        }
        long exp = jwt.getClaim(Claims.exp.name()) instanceof Number seconds ? seconds.longValue() : 0;
        if (exp <= 0 || entries.containsKey(token)) {
            return;
        }
        String keyId = keyId(token);
        if (!trustedKeyId.test(keyId)) {
            return;
        }
        long expiresAtMillis = exp > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : exp * 1000;
        long now = wallClockMillis.getAsLong();
        long validUntil = Math.min(expiresAtMillis, now + ttlMillis);
        if (validUntil <= now) {
            return;
        }
        if (entries.size() >= maxSize) {
            makeRoom(now);
        }
        entries.putIfAbsent(token, new Entry(identity, validUntil, keyId));
    }

    /** The {@code kid} in a JWT's header, or null if it has none (or is no JWT). */
    static String keyId(String token) {
        int endOfHeader = token.indexOf('.');
        if (endOfHeader <= 0) {
            return null;
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(token.substring(0, endOfHeader)), StandardCharsets.UTF_8);
            return new JsonObject(header).getValue("kid") instanceof String kid ? kid : null;
        } catch (RuntimeException notAJwt) {
            return null;
        }
    }

    int size() {
        return entries.size();
    }

    private boolean enabled() {
        return ttlMillis > 0;
    }

    /** Drops the entries no longer valid; if that is not enough, all of them (they are only a cache). */
    private void makeRoom(long now) {
        entries.values().removeIf(entry -> entry.validUntilMillis() <= now);
        if (entries.size() >= maxSize) {
            entries.clear();
        }
    }
}
