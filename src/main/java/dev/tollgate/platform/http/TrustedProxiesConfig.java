package dev.tollgate.platform.http;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The reverse proxies in front of Tollgate, for the client IP of a request ({@link ClientIp}). */
@ConfigMapping(prefix = "tollgate.http")
public interface TrustedProxiesConfig {

    /**
     * IP addresses and CIDR ranges of the proxies whose {@code X-Forwarded-For} entries are
     * believed ({@code TOLLGATE_TRUSTED_PROXIES}); none by default: the client is the TCP peer.
     */
    Optional<List<String>> trustedProxies();
}
