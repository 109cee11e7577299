package dev.tollgate.ratelimit;

import java.util.List;
import java.util.Locale;

/**
 * The classes of requests that are limited separately: every call of the API is in exactly one
 * tier, decided by its method and path alone (before the body is read or the token checked).
 *
 * <p>{@code RULES} names the calls of {@link #MESSAGES} and {@link #SENSITIVE}, one line per call,
 * e.g. {@code rule(SENSITIVE, "POST /api/admin/credit/grants")}; a {@code *} segment stands for any
 * one path segment (an id). Every call no rule names is {@link #GENERAL}. A call added to the API
 * that starts or records a chat message, or that moves money on a person's say (admin grants,
 * purchases, auto top-up settings, team membership, roles and caps), gets its line there.
 */
public enum Tier {
    /** Every call of the API not in another tier (reads, pre-checks, settle and release, admin reads and jobs). */
    GENERAL,
    /**
     * Everything that starts or records one chat message, whichever way the chat app meters it:
     * the metered chat call, a new reservation, a charge. A user gets the same number of messages
     * through each.
     */
    MESSAGES,
    /** Money moved by people rather than by chatting: admin adjustments, purchases and refunds. */
    SENSITIVE,
    /**
     * Events a payment provider delivers (Stripe's webhook): counted by the sender's address in a
     * budget of their own, sized for the provider's bursts, never in the anonymous budget of the API.
     */
    WEBHOOKS;

    /** The calls of the tiers other than {@link #GENERAL}; the first rule that matches decides. */
    private static final List<Rule> RULES = List.of(
            rule(MESSAGES, "POST /v1/chat/completions"),
            rule(MESSAGES, "POST /api/credit/reservations"),
            rule(MESSAGES, "POST /api/credit/charges"),
            rule(SENSITIVE, "POST /api/admin/credit/adjustments"),
            rule(SENSITIVE, "POST /api/credit/purchases"),
            rule(SENSITIVE, "PUT /api/credit/auto-top-up"),
            rule(SENSITIVE, "POST /api/admin/purchases/*/refund"),
            rule(WEBHOOKS, "POST /api/webhooks/stripe"));

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
        for (Rule rule : RULES) {
            if (rule.matches(method, normalized)) {
                return rule.tier();
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

    /** {@code call} is "METHOD /path", a {@code *} segment matching any one segment. */
    static Rule rule(Tier tier, String call) {
        int space = call.indexOf(' ');
        return new Rule(tier, call.substring(0, space), call.substring(space + 1).split("/", -1));
    }

    record Rule(Tier tier, String method, String[] segments) {

        /** Whether a normalized path (no repeated or trailing slash) with this method is the rule's call. */
        boolean matches(String requestMethod, String path) {
            if (!method.equalsIgnoreCase(requestMethod)) {
                return false;
            }
            int start = 0;
            for (int i = 0; i < segments.length; i++) {
                int end = path.indexOf('/', start);
                boolean last = i == segments.length - 1;
                if (last != (end < 0)) {
                    return false;
                }
                String segment = path.substring(start, last ? path.length() : end);
                if (segments[i].equals("*") ? segment.isEmpty() : !segments[i].equals(segment)) {
                    return false;
                }
                start = end + 1;
            }
            return true;
        }
    }
}
