package dev.tollgate.ratelimit;

/**
 * Whom a request is counted against: a signed-in user (the token's {@code sub}) or, without a
 * valid token, the client IP ({@code platform.http.ClientIp}: the peer, or the rightmost address a
 * trusted proxy forwarded that is not itself a trusted proxy).
 */
public record Caller(String userId, String clientIp) {

    public static Caller user(String userId) {
        return new Caller(userId, null);
    }

    public static Caller anonymous(String clientIp) {
        return new Caller(null, clientIp == null || clientIp.isBlank() ? "unknown" : clientIp);
    }

    public boolean signedIn() {
        return userId != null;
    }

    /** The bucket of this caller in a tier, e.g. {@code messages|u:alice} or {@code general|ip:203.0.113.9}. */
    String bucketKey(Tier tier) {
        return tier.key() + (signedIn() ? "|u:" + userId : "|ip:" + clientIp);
    }
}
