package dev.tollgate.ledger;

import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.metering.MeteringStatements;
import dev.tollgate.platform.jdbc.NamedStatement;
import dev.tollgate.ratelimit.PostgresRateLimitStore;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Teams;
import dev.tollgate.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The statements the benchmark builds its pgbench scripts from, run here bound by the names the
 * seam gives their placeholders, each to a distinct value: what they write must land in the
 * columns those names say. A name out of the application's bind order writes a value where
 * another belongs, and fails here.
 */
@QuarkusTest
class LedgerStatementsTest {

    static final OffsetDateTime NOW = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);

    @Test
    void aChargeWithItsUsageRowBoundByNameWritesEachValueToItsColumn() throws Exception {
        String user = openAccount("statements-charge");
        Map<String, Object> values = auditValues(user, "CHARGE", "statements-charge-1");
        values.putAll(Map.of("cost", 1_234L, "unused", 0L, "request_id", "statements-charge-1", "model", "gpt-4o-mini",
                "character_id", "luna", "conversation_id", "conv-9", "input_tokens", 11L, "cached_input_tokens", 12L,
                "cache_write_tokens", 13L, "output_tokens", 14L));
        values.putAll(Map.of("reasoning_tokens", 15L, "total_tokens", 65L, "cost_millicredits", 1_234L, "estimated", true,
                "pricing_id", pricingId("gpt-4o-mini"), "member_id", "statements-member"));

        try (Connection c = TestDatabase.connect()) {
            run(c, MeteringStatements.chargeWithUsageRow(), values);
            assertThat(row(c, "SELECT member_id FROM token_usage WHERE user_id = ?", user)).isEqualTo("statements-member");
            assertThat(row(c, """
                    SELECT l.operation, l.monthly_delta, l.idempotency_key, l.request_hash, l.actor, l.client_ip, l.user_agent,
                           l.created_at = ?, u.request_id, u.model, u.character_id, u.conversation_id, u.input_tokens,
                           u.cached_input_tokens, u.cache_write_tokens, u.output_tokens, u.reasoning_tokens, u.total_tokens,
                           u.cost_millicredits, u.estimated
                      FROM credit_audit_log l JOIN token_usage u ON u.id = l.usage_id
                     WHERE l.user_id = ? AND l.operation = 'CHARGE'""", NOW, user))
                    .isEqualTo("CHARGE|-1234|statements-charge-1|hash-of-statements-charge-1|user:" + user
                            + "|203.0.113.9|statements-agent|t|statements-charge-1|gpt-4o-mini|luna|conv-9|11|12|13|14|15|65|1234|t");
        }
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aHoldAndItsSettleBoundByNameWriteEachValueToItsColumn() throws Exception {
        String user = openAccount("statements-hold");
        UUID reservation = UUID.randomUUID();
        try (Connection c = TestDatabase.connect()) {
            Map<String, Object> hold = auditValues(user, "HOLD", "statements-hold-1");
            hold.putAll(Map.of("id", reservation, "amount", 5_000L, "unused", 0L, "amount_millicredits", 5_000L,
                    "model", "gpt-4o-mini", "expires_at", NOW.plusMinutes(10), "reservation_id", reservation));
            hold.putAll(Map.of("prompt_tokens", 100L, "max_output_tokens", 200L, "character_id", "luna",
                    "conversation_id", "conv-9", "charged_at_expiry", true, "member_id", "statements-member"));
            run(c, LedgerStatements.holdInsert(), hold);
            run(c, LedgerStatements.change("HOLD"), hold);

            Map<String, Object> settle = auditValues(user, "SETTLE", Ledger.settleKey(reservation));
            settle.putAll(Map.of("status", "SETTLED", "resolved_at", NOW, "settled_millicredits", 0L, "id", reservation,
                    "reservation_id", reservation, "cost", 700L, "held", 5_000L));
            run(c, LedgerStatements.holdClaim(), settle);
            Map<String, Object> usage = new HashMap<>(settle);
            usage.putAll(Map.of("request_id", "statements-hold-1", "model", "gpt-4o-mini", "character_id", "luna",
                    "conversation_id", "conv-9", "input_tokens", 100L, "cached_input_tokens", 0L, "cache_write_tokens", 0L,
                    "output_tokens", 50L, "reasoning_tokens", 0L, "total_tokens", 150L));
            usage.putAll(Map.of("cost_millicredits", 700L, "estimated", false, "pricing_id", pricingId("gpt-4o-mini")));
            settle.put("usage_id", insertedId(c, MeteringStatements.usageInsert(), usage));
            run(c, LedgerStatements.change("SETTLE"), settle);
            settle.put("settled_millicredits", 700L);
            run(c, LedgerStatements.settledAmount(), settle);
            // The settled call's usage row takes its member from the hold.
            assertThat(row(c, "SELECT member_id FROM token_usage WHERE user_id = ?", user)).isEqualTo("statements-member");

            assertThat(row(c, """
                    SELECT status, amount_millicredits, settled_millicredits, model, idempotency_key, request_hash,
                           expires_at = ?
                      FROM credit_reservation WHERE user_id = ?""", NOW.plusMinutes(10), user))
                    .isEqualTo("SETTLED|5000|700|gpt-4o-mini|statements-hold-1|hash-of-statements-hold-1|t");
            assertThat(row(c, """
                    SELECT string_agg(operation || ':' || reserved_delta || ':' || (monthly_delta + purchased_delta) || ':'
                                      || idempotency_key || ':' || (reservation_id = ?) || ':' || COALESCE(usage_id::text, '-'), ','
                                      ORDER BY id)
                      FROM credit_audit_log WHERE user_id = ? AND operation IN ('HOLD', 'SETTLE')""", reservation, user))
                    .isEqualTo("HOLD:5000:0:statements-hold-1:true:-,SETTLE:-5000:-700:" + Ledger.settleKey(reservation)
                            + ":true:" + settle.get("usage_id"));
        }
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 700, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aMembersChargeAndHoldCountAgainstTheirCapInThePoolsStatementAndSayWhenTheCapRefused() throws Exception {
        String member = Api.newUser("statements-member");
        String pool = "team:" + Teams.withMember(Api.newUser("statements-owner"), member, 2_000L);
        try (Connection c = TestDatabase.connect()) {
            assertThat(memberChange(c, pool, member, "CHARGE", "cost", 1_234)).isEqualTo("t");
            assertThat(memberChange(c, pool, member, "HOLD", "amount", 700)).isEqualTo("t");
            // Over the cap: the pool's change is written, the member's row is not, and the statement says so.
            c.setAutoCommit(false);
            assertThat(memberChange(c, pool, member, "CHARGE", "cost", 67)).isEqualTo("f");
            assertThat(row(c, "SELECT count(*) FROM credit_audit_log WHERE user_id = ? AND operation IN ('CHARGE', 'HOLD')",
                    pool)).isEqualTo("3");
            c.rollback();
            c.setAutoCommit(true);
            assertThat(row(c, "SELECT spent_millicredits, held_millicredits FROM team_member WHERE user_id = ?", member))
                    .isEqualTo("1234|700");
        }
        assertThat(LedgerProbe.ledgerSums(pool)).containsExactly(LedgerProbe.buckets(pool));
    }

    /** A member's charge or hold of {@code amount}, bound by name; answers its {@code member_counted}. */
    private static String memberChange(Connection c, String pool, String member, String operation, String argument,
            long amount) throws SQLException {
        Map<String, Object> values = auditValues(pool, operation, "statements-" + UUID.randomUUID());
        values.putAll(Map.of(argument, amount, "unused", 0L, "member_id", member));
        return firstColumn(c, LedgerStatements.changeCountingMember(operation, null), values, "member_counted");
    }

    @Test
    void theRateLimitCheckBoundByNameAdmitsOnceAPeriodAndNotTwice() throws Exception {
        String bucket = "statements|u:" + UUID.randomUUID();
        Map<String, Object> values = Map.of("bucket_key", bucket, "interval", 60_000_000L, "period", 60_000_000L);
        try (Connection c = TestDatabase.connect()) {
            assertThat(firstColumn(c, PostgresRateLimitStore.acquireStatement(), values, "admitted")).isEqualTo("t");
            assertThat(firstColumn(c, PostgresRateLimitStore.acquireStatement(), values, "admitted")).isEqualTo("f");
        }
    }

    /** The audit row's values of one change, each distinct. */
    private static Map<String, Object> auditValues(String user, String operation, String key) {
        Map<String, Object> values = new HashMap<>();
        values.put("user_id", user);
        values.put("updated_at", NOW);
        values.put("now", NOW);
        values.put("unused_third", 0L);
        values.put("created_at", NOW);
        values.put("operation", operation);
        values.put("idempotency_key", key);
        values.put("request_hash", "hash-of-" + key);
        values.put("usage_id", null);
        values.put("reservation_id", null);
        values.put("actor", "user:" + user);
        values.put("client_ip", "203.0.113.9");
        values.put("user_agent", "statements-agent");
        values.put("metadata", null);
        values.put("member_id", null);
        return values;
    }

    private static PreparedStatement prepare(Connection c, NamedStatement statement, Map<String, Object> values)
            throws SQLException {
        PreparedStatement ps = c.prepareStatement(statement.sql());
        int i = 1;
        for (String name : statement.parameters()) {
            assertThat(values).as("a value for " + name).containsKey(name);
            ps.setObject(i++, values.get(name));
        }
        return ps;
    }

    private static void run(Connection c, NamedStatement statement, Map<String, Object> values) throws SQLException {
        try (PreparedStatement ps = prepare(c, statement, values)) {
            ps.execute();
        }
    }

    private static long insertedId(Connection c, NamedStatement statement, Map<String, Object> values)
            throws SQLException {
        return Long.parseLong(firstColumn(c, statement, values, "id"));
    }

    private static String firstColumn(Connection c, NamedStatement statement, Map<String, Object> values, String column)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, statement, values); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(column);
        }
    }

    private static long pricingId(String model) throws SQLException {
        try (Connection c = TestDatabase.connect()) {
            return Long.parseLong(row(c, "SELECT max(id) FROM model_pricing WHERE model = ?", model));
        }
    }

    /** The first row of a query, its columns joined by |. */
    private static String row(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                StringBuilder out = new StringBuilder();
                for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
                    out.append(col > 1 ? "|" : "").append(rs.getString(col));
                }
                return out.toString();
            }
        }
    }
}
