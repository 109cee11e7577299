package dev.tollgate.platform.security;

/** The client IP and user agent of a request, as recorded in the audit trail. */
public record RequestOrigin(String clientIp, String userAgent) {
}
