package dev.tollgate.grant;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.tollgate.ledger.GrantLot;
import dev.tollgate.webhook.WebhookEventTypes;
import dev.tollgate.webhook.WebhookOutbox;

/**
 * Tells the chat app, once per lot, that a lot with credits left expires within the notice
 * ({@code grant.expiring}): the lot is marked in the transaction that publishes the event, so a
 * run that dies between the two has done neither.
 */
@ApplicationScoped
public class ExpiringGrants {

    @Inject
    WebhookOutbox webhooks;

    @Inject
    GrantsConfig config;

    @Inject
    Clock clock;

    /** Publishes the notices of up to {@code max} lots; answers how many. */
    @Transactional
    public int notifyDue(int max) {
        Instant now = clock.instant();
        @SuppressWarnings("unchecked")
        List<Object[]> lots = GrantLot.getEntityManager().createNativeQuery("""
                UPDATE credit_grant_lot SET expiring_notified_at = ?1
                 WHERE id IN (SELECT id FROM credit_grant_lot
                               WHERE remaining > 0 AND expiring_notified_at IS NULL AND expires_at > ?1 AND expires_at <= ?2
                               ORDER BY expires_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
                RETURNING id, user_id, remaining, expires_at, reason""")
                .setParameter(1, now)
                .setParameter(2, now.plus(config.expiringNotice()))
                .setParameter(3, max)
                .getResultList();
        for (Object[] lot : lots) {
            webhooks.publish((String) lot[1], WebhookEventTypes.GRANT_EXPIRING, Map.of("lotId", lot[0].toString(),
                    "remainingMillicredits", ((Number) lot[2]).longValue(), "expiresAt", instant(lot[3]).toString(),
                    "reason", (String) lot[4]));
        }
        return lots.size();
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof java.time.OffsetDateTime time) {
            return time.toInstant();
        }
        return ((java.sql.Timestamp) value).toInstant();
    }
}
