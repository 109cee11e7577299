package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import dev.tollgate.platform.money.Millicredits;

/**
 * What a lot of granted credits is: how much, until when, its priority (a smaller number is spent
 * first), who grants it ({@code source}: an admin's subject, or {@code plan:<name>}) and why.
 */
public record GrantTerms(Millicredits amount, Instant expiresAt, int priority, String source, String reason) {

    /** The priority of a lot granted without one: after every lot that names a smaller one. */
    public static final int DEFAULT_PRIORITY = 100;
    public static final int MAX_PRIORITY = 1000;

    public GrantTerms {
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("a priority is 0 to " + MAX_PRIORITY + ": " + priority);
        }
        if (source == null || source.isBlank() || reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a grant names its source and reason");
        }
    }

    /** The GRANT entry's metadata: the caller's, with the lot, its expiry and priority. */
    String metadata(UUID lotId, String callerMetadata) {
        String lot = "\"lotId\":\"" + lotId + "\",\"expiresAt\":\"" + expiresAt + "\",\"priority\":" + priority;
        if (callerMetadata == null || callerMetadata.isBlank() || callerMetadata.strip().equals("{}")) {
            return "{" + lot + "}";
        }
        String object = callerMetadata.strip();
        return object.substring(0, object.length() - 1) + "," + lot + "}";
    }
}
