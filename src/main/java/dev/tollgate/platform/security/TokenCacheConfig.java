package dev.tollgate.platform.security;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The cache of bearer tokens that OIDC has verified ({@link VerifiedTokens}): a token seen again
 * within {@code ttl} (and before its own expiry) is not verified a second time.
 */
@ConfigMapping(prefix = "tollgate.auth.token-cache")
public interface TokenCacheConfig {

    /**
     * How long a verified token is trusted without verifying it again, at most; never past the
     * token's {@code exp}, nor once its signing key has left the provider's key set
     * ({@link SigningKeys}). {@code 0}: no cache, every request is verified.
     */
    @WithDefault("PT1M")
    Duration ttl();

    /** Tokens kept at most (one per signed-in client with a recent request, typically). */
    @WithDefault("10000")
    @Min(1)
    @Max(1_000_000)
    int maxSize();
}
