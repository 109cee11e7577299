package dev.tollgate.platform.security;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Bearer tokens that OIDC has verified, with the identity it built for each, so that a client
 * sending the same token again (a web app sends one token for all its calls until it expires) is
 * not verified again: an RS256 verification and the parsing of the claims are about a fifth of
 * the CPU a charge costs the application (README.md, "Verified tokens").
 *
 * <p>What a cached token is trusted for: exactly the same string that passed the full
 * verification (signature, issuer, audience, expiry), for at most {@code ttl} after that and
 * never at or past its {@code exp} — then it goes through OIDC again. A changed character is
 * another key, so it is verified (and refused) as any other token. The one thing the cache
 * delays is the effect of a signing key the provider withdraws: tokens already seen stay
 * accepted up to {@code ttl} (OIDC itself keeps the keys it fetched until it meets an unknown
 * key id). Wall-clock time, as OIDC uses it.
 */
@ApplicationScoped
public class VerifiedTokens {

    private record Entry(SecurityIdentity identity, long validUntilMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    @Inject
    TokenCacheConfig config;

    @Inject
    MeterRegistry registry;

    private LongSupplier wallClockMillis = System::currentTimeMillis;
    private long ttlMillis;
    private int maxSize;
    private Counter hits;
    private Counter misses;

    /** A cache outside CDI, with its own clock (for tests). */
    static VerifiedTokens of(Duration ttl, int maxSize, MeterRegistry registry, LongSupplier wallClockMillis) {
        VerifiedTokens cache = new VerifiedTokens();
        cache.registry = registry;
        cache.wallClockMillis = wallClockMillis;
        cache.start(ttl, maxSize);
        return cache;
    }

    @PostConstruct
    void init() {
        start(config.ttl(), config.maxSize());
    }

    private void start(Duration ttl, int maxSize) {
        this.ttlMillis = ttl.isNegative() ? 0 : ttl.toMillis();
        this.maxSize = maxSize;
        hits = Counter.builder("tollgate.auth.token_cache").tag("result", "hit")
                .description("Bearer tokens answered from the cache of verified tokens").register(registry);
        misses = Counter.builder("tollgate.auth.token_cache").tag("result", "miss")
                .description("Bearer tokens not in the cache of verified tokens (verified by OIDC)").register(registry);
    }

    /** The identity OIDC built for this exact token, if it was verified recently and has not expired. */
    public Optional<SecurityIdentity> find(String token) {
        if (!enabled() || token == null) {
            return Optional.empty();
        }
        Entry entry = entries.get(token);
        if (entry != null && wallClockMillis.getAsLong() >= entry.validUntilMillis()) {
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
        long expiresAtMillis = exp > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : exp * 1000;
        long now = wallClockMillis.getAsLong();
        long validUntil = Math.min(expiresAtMillis, now + ttlMillis);
        if (validUntil <= now) {
            return;
        }
        if (entries.size() >= maxSize) {
            makeRoom(now);
        }
        entries.putIfAbsent(token, new Entry(identity, validUntil));
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
