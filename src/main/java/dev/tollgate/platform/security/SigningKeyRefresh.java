package dev.tollgate.platform.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;
import io.vertx.core.Vertx;

import dev.tollgate.platform.launch.Launch;

/**
 * Makes Quarkus OIDC fetch the provider's key set again once the one it has is
 * {@code tollgate.auth.signing-keys.refresh-interval} old, so that a key the provider has withdrawn
 * stops being trusted within that long.
 *
 * <p>Quarkus OIDC keeps the key set it fetched until a token names a key id it does not know; then
 * it fetches it again, at most once per {@code quarkus.oidc.token.forced-jwk-refresh-interval}. It
 * has no periodic refresh and no public way to ask for one. So this class asks the way a token
 * would: it hands OIDC (through {@link TenantIdentityProvider}, its public API for verifying a token
 * outside a request) a token whose key id no provider publishes, which OIDC refuses after fetching
 * the key set; the new key set replaces the old one in OIDC, and {@link SigningKeys} records it.
 * That token has no valid signature and is never accepted.
 *
 * <p>A Vert.x timer checks the key set's age every second: no scheduler (it may be switched off,
 * {@code QUARKUS_SCHEDULER_ENABLED=false}), and nothing to do while OIDC has fetched no key set (a
 * key configured locally, or a provider that has not answered yet). The job command verifies no
 * token and starts no timer.
 */
@ApplicationScoped
public class SigningKeyRefresh {

    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    /** The key id of the token that makes OIDC fetch the key set: no provider publishes it. */
    static final String REFRESH_KEY_ID = "tollgate-signing-key-refresh";
    /** A JWS whose header names {@link #REFRESH_KEY_ID}; its claims are empty and its signature is not one. */
    static final String REFRESH_TOKEN = base64Url("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + REFRESH_KEY_ID + "\"}")
            + "." + base64Url("{}") + ".AA";

    @Inject
    Vertx vertx;

    @Inject
    SigningKeys signingKeys;

    @Inject
    TenantIdentityProvider oidc;

    @Inject
    AuthConfig config;

    @ConfigProperty(name = "quarkus.oidc.token.forced-jwk-refresh-interval", defaultValue = "10M")
    Duration forcedRefreshInterval;

    private final AtomicBoolean refreshing = new AtomicBoolean();
    private long timerId = -1;

    void start(@Observes StartupEvent started, @CommandLineArguments String[] arguments) {
        if (Launch.isJob(arguments)) {
            return;
        }
        Duration refreshInterval = config.signingKeys().refreshInterval();
        requireRefreshIntervalAtLeastForced(refreshInterval, forcedRefreshInterval);
        long refreshMillis = refreshInterval.toMillis();
        timerId = vertx.setPeriodic(CHECK_EVERY.toMillis(), id -> refreshIfOlderThan(refreshMillis));
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    /**
     * OIDC fetches the key set at most once per forced-refresh interval, whoever asks: a refresh
     * interval shorter than that could not be kept.
     */
    static void requireRefreshIntervalAtLeastForced(Duration refreshInterval, Duration forcedRefreshInterval) {
        if (refreshInterval.compareTo(forcedRefreshInterval) < 0 || refreshInterval.isZero()) {
            throw new IllegalStateException("tollgate.auth.signing-keys.refresh-interval (" + refreshInterval
                    + ") must be positive and at least quarkus.oidc.token.forced-jwk-refresh-interval ("
                    + forcedRefreshInterval + "): OIDC fetches the key set at most that often");
        }
    }

    void refreshIfOlderThan(long refreshMillis) {
        if (signingKeys.ageMillis().orElse(-1) < refreshMillis || !refreshing.compareAndSet(false, true)) {
            return;
        }
        // Refused, as it must be; by then OIDC has fetched the key set (SigningKeys has seen it).
        oidc.authenticate(new AccessTokenCredential(REFRESH_TOKEN)).subscribe()
                .with(identity -> refreshing.set(false), refused -> refreshing.set(false));
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
