package dev.tollgate.admin;

import java.time.Instant;
import java.util.List;

/** A page of ledger rows, newest first, with the query that selected them; {@code hasMore}: a next page exists. */
public record AuditPage(String userId, Instant from, Instant to, String operation, String actor, int page, int size,
        boolean hasMore, List<AuditEntry> items) {
}
