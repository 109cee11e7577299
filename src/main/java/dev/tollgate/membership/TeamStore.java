package dev.tollgate.membership;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.idempotency.StoredRequest;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;

/** The rows of teams and their members, read and written inside the caller's transaction. */
@ApplicationScoped
public class TeamStore {

    /** A team as stored. */
    public record Team(UUID id, String accountId, String name, String claimValue, String createdBy,
            String requestHash, Instant createdAt, Instant deletedAt) implements StoredRequest {
        public boolean deleted() {
            return deletedAt != null;
        }
    }

    /** A member's row: their role, cap, and spending in the pool's current period. */
    public record Member(String userId, TeamRole role, Long capMillicredits, long spentMillicredits,
            long heldMillicredits, boolean fromClaim, Instant joinedAt, Instant removedAt) {
        public boolean active() {
            return removedAt == null;
        }
    }

    private static final String TEAM_COLUMNS = "id, account_id, name, claim_value, created_by, request_hash, created_at, deleted_at";
    private static final String TEAM_COLUMNS_OF_T = """
            t.id, t.account_id, t.name, t.claim_value, t.created_by, t.request_hash, t.created_at, t.deleted_at""";

    /** A member's spending counts from zero once the pool's period has moved past the row's. */
    private static final String MEMBER_COLUMNS = """
            tm.user_id, tm.role, tm.cap_millicredits,
            CASE WHEN tm.period_start < a.period_start THEN 0 ELSE tm.spent_millicredits END AS spent,
            tm.held_millicredits, tm.from_claim, tm.joined_at, tm.removed_at""";

    @Inject
    DataSource dataSource;

    public void insertTeam(Team team, String creationKey) {
        update("""
                INSERT INTO team (id, account_id, name, claim_value, created_by, creation_key, request_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", ps -> {
            ps.setObject(1, team.id());
            ps.setString(2, team.accountId());
            ps.setString(3, team.name());
            ps.setString(4, team.claimValue());
            ps.setString(5, team.createdBy());
            ps.setString(6, creationKey);
            ps.setString(7, team.requestHash());
            Jdbc.setTime(ps, 8, team.createdAt());
        }, "insert team");
    }

    public Optional<Team> team(UUID id) {
        return teams("SELECT " + TEAM_COLUMNS + " FROM team WHERE id = ?", ps -> ps.setObject(1, id)).stream().findFirst();
    }

    public Optional<Team> createdUnder(String userId, String creationKey) {
        return teams("SELECT " + TEAM_COLUMNS + " FROM team WHERE created_by = ? AND creation_key = ?", ps -> {
            ps.setString(1, userId);
            ps.setString(2, creationKey);
        }).stream().findFirst();
    }

    public Optional<Team> withClaimValue(String claimValue) {
        return teams("SELECT " + TEAM_COLUMNS + " FROM team WHERE claim_value = ? AND deleted_at IS NULL",
                ps -> ps.setString(1, claimValue)).stream().findFirst();
    }

    /** The live teams the user is an active member of, oldest first. */
    public List<Team> teamsOf(String userId) {
        return teams("SELECT " + TEAM_COLUMNS_OF_T + """
                 FROM team t JOIN team_member tm ON tm.account_id = t.account_id
                WHERE tm.user_id = ? AND tm.removed_at IS NULL AND t.deleted_at IS NULL
                ORDER BY t.created_at, t.id""", ps -> ps.setString(1, userId));
    }

    /** Marks the team deleted and removes its members: no call can start on its pool any more. */
    public void markDeleted(UUID id, Instant at) {
        update("UPDATE team SET deleted_at = ?, claim_value = NULL WHERE id = ? AND deleted_at IS NULL", ps -> {
            Jdbc.setTime(ps, 1, at);
            ps.setObject(2, id);
        }, "delete team");
        update("UPDATE team_member SET removed_at = ? WHERE account_id = 'team:' || ? AND removed_at IS NULL", ps -> {
            Jdbc.setTime(ps, 1, at);
            ps.setString(2, id.toString());
        }, "remove members of a deleted team");
    }

    public Optional<Member> member(String accountId, String userId) {
        return members("WHERE tm.account_id = ? AND tm.user_id = ?", ps -> {
            ps.setString(1, accountId);
            ps.setString(2, userId);
        }).stream().findFirst();
    }

    /** The active members, owners first, then by when they joined. */
    public List<Member> activeMembers(String accountId) {
        return members("WHERE tm.account_id = ? AND tm.removed_at IS NULL ORDER BY CASE tm.role WHEN 'owner' THEN 0 "
                + "WHEN 'manager' THEN 1 ELSE 2 END, tm.joined_at, tm.user_id", ps -> ps.setString(1, accountId));
    }

    /**
     * Makes the user an active member with this role and cap: a new row, or a removed member's
     * row again (joined now; their spending in the period stays), or an active member's row changed.
     */
    public void putMember(String accountId, String userId, TeamRole role, Long cap, boolean fromClaim, Instant now) {
        update("""
                INSERT INTO team_member (account_id, user_id, role, cap_millicredits, period_start, from_claim, joined_at)
                VALUES (?, ?, ?, ?, (SELECT period_start FROM credit_account WHERE user_id = ?), ?, ?)
                ON CONFLICT (account_id, user_id) DO UPDATE
                   SET role = EXCLUDED.role, cap_millicredits = EXCLUDED.cap_millicredits, removed_at = NULL,
                       from_claim = team_member.from_claim AND EXCLUDED.from_claim,
                       joined_at = CASE WHEN team_member.removed_at IS NULL THEN team_member.joined_at
                                        ELSE EXCLUDED.joined_at END""", ps -> {
            ps.setString(1, accountId);
            ps.setString(2, userId);
            ps.setString(3, role.wire());
            Jdbc.setNullableLong(ps, 4, cap);
            ps.setString(5, accountId);
            ps.setBoolean(6, fromClaim);
            Jdbc.setTime(ps, 7, now);
        }, "put team member");
    }

    /** Joins a user whose token carries the team's claim; a row that exists (even removed) stays as it is. */
    public void joinByClaim(String accountId, String userId, Instant now) {
        update("""
                INSERT INTO team_member (account_id, user_id, role, period_start, from_claim, joined_at)
                VALUES (?, ?, 'member', (SELECT period_start FROM credit_account WHERE user_id = ?), true, ?)
                ON CONFLICT (account_id, user_id) DO NOTHING""", ps -> {
            ps.setString(1, accountId);
            ps.setString(2, userId);
            ps.setString(3, accountId);
            Jdbc.setTime(ps, 4, now);
        }, "join team by claim");
    }

    public void removeMember(String accountId, String userId, Instant now) {
        update("UPDATE team_member SET removed_at = ? WHERE account_id = ? AND user_id = ? AND removed_at IS NULL", ps -> {
            Jdbc.setTime(ps, 1, now);
            ps.setString(2, accountId);
            ps.setString(3, userId);
        }, "remove team member");
    }

    /** Locks the team's member rows, so that role changes of one team are applied one at a time. */
    public void lockMembers(String accountId) {
        Rows.query(dataSource, "lock team members", "SELECT 1 FROM team_member WHERE account_id = ? FOR NO KEY UPDATE",
                (c, ps) -> ps.setString(1, accountId), rs -> 1);
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void update(String sql, Binder binder, String what) {
        Rows.update(dataSource, what, sql, (c, ps) -> binder.bind(ps));
    }

    private List<Team> teams(String sql, Binder binder) {
        return Rows.query(dataSource, "read teams", sql, (c, ps) -> binder.bind(ps),
                rs -> new Team(rs.getObject("id", UUID.class), rs.getString("account_id"), rs.getString("name"),
                        rs.getString("claim_value"), rs.getString("created_by"), rs.getString("request_hash"),
                        Jdbc.getTime(rs, "created_at"), Jdbc.getTime(rs, "deleted_at")));
    }

    private List<Member> members(String where, Binder binder) {
        String sql = "SELECT " + MEMBER_COLUMNS + " FROM team_member tm JOIN credit_account a ON a.user_id = tm.account_id "
                + where;
        return Rows.query(dataSource, "read team members", sql, (c, ps) -> binder.bind(ps),
                rs -> new Member(rs.getString("user_id"), TeamRole.ofWire(rs.getString("role")),
                        Jdbc.getNullableLong(rs, "cap_millicredits"), rs.getLong("spent"),
                        rs.getLong("held_millicredits"), rs.getBoolean("from_claim"), Jdbc.getTime(rs, "joined_at"),
                        Jdbc.getTime(rs, "removed_at")));
    }
}
