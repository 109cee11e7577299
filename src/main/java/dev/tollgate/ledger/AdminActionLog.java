package dev.tollgate.ledger;

import java.time.Clock;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.security.RequestOrigin;

/**
 * Writes an {@link AdminAction} to {@code credit_audit_log}: no account, no balances, zero deltas,
 * the admin as actor and the reason in the metadata (the schema insists on it). It joins the
 * caller's transaction when there is one, so that an action and its audit row commit together.
 */
@ApplicationScoped
public class AdminActionLog {

    /** How an admin is named as the actor of the audit trail: {@code admin:<sub>}. */
    public static final String ADMIN_ACTOR_PREFIX = "admin:";

    private static final String INSERT = """
            INSERT INTO credit_audit_log (user_id, operation, monthly_delta, purchased_delta, reserved_delta,
                   actor, client_ip, user_agent, metadata, created_at)
            VALUES (NULL, ?, 0, 0, 0, ?, ?, ?, CAST(? AS jsonb), ?)
            RETURNING id""";

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    /**
     * @param details the action's own facts; {@code reason} is set on it (the admin's text, never
     *        spliced into JSON)
     * @return the id of the audit row
     */
    public long record(AdminAction action, String actor, String reason, ObjectNode details, RequestOrigin origin) {
        details.put("reason", reason);
        Instant now = clock.instant();
        return Rows.one(dataSource, "audit admin action", INSERT, (c, ps) -> {
            ps.setString(1, action.name());
            ps.setString(2, actor);
            ps.setString(3, origin.clientIp());
            ps.setString(4, origin.userAgent());
            ps.setString(5, details.toString());
            Jdbc.setTime(ps, 6, now);
        }, rs -> rs.getLong(1));
    }
}
