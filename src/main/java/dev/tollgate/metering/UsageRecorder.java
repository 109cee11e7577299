package dev.tollgate.metering;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes the {@code token_usage} row of a metered call, in the caller's transaction (the one that
 * also charges it). The row's request id is unique per user: recording a call twice fails with
 * {@link dev.tollgate.platform.jdbc.DuplicateRequestException}.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class);

    private static final String INSERT = """
            INSERT INTO token_usage (user_id, request_id, model, character_id, conversation_id, input_tokens,
                   cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, total_tokens,
                   cost_millicredits, estimated, pricing_id, reservation_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id""";

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry meters;

    /** What a replay needs of a recorded call. */
    public record Recorded(long id, String model, long costMillicredits) {
    }

    /** A recorded call by id, live or already archived. */
    public Recorded find(long usageId) {
        String sql = """
                SELECT id, model, cost_millicredits FROM token_usage WHERE id = ?
                UNION ALL
                SELECT id, model, cost_millicredits FROM token_usage_archive WHERE id = ?
                LIMIT 1""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, usageId);
            ps.setLong(2, usageId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("usage row " + usageId + " of a ledger entry is missing");
                }
                return new Recorded(rs.getLong(1), rs.getString(2), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("find usage", e);
        }
    }

    /** @return the id of the new row */
    public long record(MeteredCall call) {
        if (call.usage().total() > 0 && !call.cost().isPositive()) {
            // A price of zero for every bucket used: allowed (a free cache read), but watched.
            meters.counter("tollgate.usage.zero_cost", "model", call.model()).increment();
            LOG.warnf("call %s of model %s used %d tokens and costs nothing", call.requestId(), call.model(),
                    call.usage().total());
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, call.userId());
            ps.setString(2, call.requestId());
            ps.setString(3, call.model());
            ps.setString(4, call.characterId());
            ps.setString(5, call.conversationId());
            ps.setLong(6, call.usage().uncachedInput());
            ps.setLong(7, call.usage().cachedInput());
            ps.setLong(8, call.usage().cacheWrite());
            ps.setLong(9, call.usage().output());
            ps.setLong(10, call.usage().reasoning());
            ps.setLong(11, call.usage().total());
            ps.setLong(12, call.cost().value());
            ps.setBoolean(13, call.estimated());
            ps.setLong(14, call.price().pricingId());
            Jdbc.setNullableUuid(ps, 15, call.reservationId());
            Jdbc.setTime(ps, 16, clock.instant());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("record usage", e);
        }
    }
}
