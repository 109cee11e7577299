package dev.tollgate.ratelimit;

import java.util.Locale;

/**
 * The classes of requests that are limited separately: every call of the API is in exactly one
 * tier, decided by its method and path alone (before the body is read or the token checked).
 */
public enum Tier {
    /** Every call of the API not in another tier (reads, pre-checks, settle and release, admin reads). */
    GENERAL,
    /** A metered chat message: {@code POST /v1/chat/completions}. */
    CHAT,
    /** Calls that commit credits: charges, new reservations, admin adjustments. */
    SENSITIVE;

    /** The name used in config, metrics, bucket keys and problem bodies. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The tier of a request, or {@code null} if the request is not a call of the API (health,
     * metrics, OpenAPI, dev pages): only {@code /api/…} and {@code /v1/…} are limited.
     */
    public static Tier of(String method, String path) {
        String normalized = normalize(path);
        if (!normalized.equals("/api") && !normalized.startsWith("/api/")
                && !normalized.equals("/v1") && !normalized.startsWith("/v1/")) {
            return null;
        }
        if ("POST".equalsIgnoreCase(method)) {
            switch (normalized) {
                case "/v1/chat/completions":
                    return CHAT;
                case "/api/credit/charges":
                case "/api/credit/reservations":
                case "/api/admin/credit/adjustments":
                    return SENSITIVE;
                default:
                    break;
            }
        }
        return GENERAL;
    }

    /** Collapses repeated slashes and drops a trailing one, so that "//api/credit/charges/" is the charge path. */
    static String normalize(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        String collapsed = path.replaceAll("/{2,}", "/");
        if (!collapsed.startsWith("/")) {
            collapsed = "/" + collapsed;
        }
        return collapsed.length() > 1 && collapsed.endsWith("/")
                ? collapsed.substring(0, collapsed.length() - 1)
                : collapsed;
    }
}
