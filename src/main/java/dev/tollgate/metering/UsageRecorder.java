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

import dev.tollgate.ledger.LinkedRow;
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
    public long record(UsageRow call) {
        watchZeroCost(call);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(MeteringStatements.USAGE_INSERT)) {
            ps.setString(1, call.userId());
            bindAfterUser(ps, 2, call);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("record usage", e);
        }
    }

    /**
     * The row of the call for {@code Ledger.charge(…, LinkedRow)},
     * which inserts it in the charge's own statement. Its request id is unique per user as with
     * {@link #record}: a second charge of the call fails with a DuplicateRequestException.
     */
    public LinkedRow linkedRow(UsageRow call) {
        watchZeroCost(call);
        return new LinkedRow() {
            @Override
            public String insertSql() {
                return MeteringStatements.LINKED_USAGE_INSERT;
            }

            @Override
            public int bind(PreparedStatement ps, int index) throws SQLException {
                return bindAfterUser(ps, index, call);
            }
        };
    }

    /**
     * Binds request id .. member_id (16 values) from {@code i} on, in the order
     * {@link MeteringStatements#linkedUsageInsert} names; answers the next index.
     */
    private int bindAfterUser(PreparedStatement ps, int i, UsageRow call) throws SQLException {
        ps.setString(i++, call.requestId());
        ps.setString(i++, call.model());
        ps.setString(i++, call.characterId());
        ps.setString(i++, call.conversationId());
        ps.setLong(i++, call.usage().uncachedInput());
        ps.setLong(i++, call.usage().cachedInput());
        ps.setLong(i++, call.usage().cacheWrite());
        ps.setLong(i++, call.usage().output());
        ps.setLong(i++, call.usage().reasoning());
        ps.setLong(i++, call.usage().total());
        ps.setLong(i++, call.cost().value());
        ps.setBoolean(i++, call.estimated());
        ps.setLong(i++, call.price().pricingId());
        Jdbc.setNullableUuid(ps, i++, call.holdId());
        Jdbc.setTime(ps, i++, clock.instant());
        ps.setString(i++, call.memberId());
        return i;
    }

    /**
     * Records what a settled call cost beyond what could be charged (its settle was above its hold
     * and the account could not cover the rest), in the settle's transaction.
     */
    public void recordShortfall(long usageId, long shortfallMillicredits) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE token_usage SET shortfall_millicredits = ? WHERE id = ?")) {
            ps.setLong(1, shortfallMillicredits);
            ps.setLong(2, usageId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("usage row " + usageId + " of a settle is missing");
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("record shortfall", e);
        }
    }

    private void watchZeroCost(UsageRow call) {
        if (call.usage().total() > 0 && !call.cost().isPositive()) {
            // A price of zero for every bucket used: allowed (a free cache read), but watched.
            meters.counter("tollgate.usage.zero_cost", "model", call.model()).increment();
            LOG.warnf("call %s of model %s used %d tokens and costs nothing", call.requestId(), call.model(),
                    call.usage().total());
        }
    }
}
