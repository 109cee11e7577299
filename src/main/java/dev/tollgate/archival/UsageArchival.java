package dev.tollgate.archival;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.tx.Transactions;

/**
 * Moves {@code token_usage} rows older than the retention into {@code token_usage_archive}, in
 * bounded batches. A batch is one transaction of one statement that claims the oldest rows with
 * {@code FOR UPDATE SKIP LOCKED}, deletes them and inserts them, unchanged and stamped with
 * {@code archived_at}, into the archive:
 * <ul>
 * <li>a row is in exactly one of the two tables at every commit, so the usage report, which reads
 * both, never changes; a batch that fails (or a process that dies) rolls back whole, and the next
 * run starts again from the rows that are still live;</li>
 * <li>live charges only insert new rows, which no claim reaches, so they never wait for a batch;</li>
 * <li>two runs at once claim different rows (the archive's primary key would refuse a second copy).</li>
 * </ul>
 * The claim reads the oldest rows through {@code token_usage_by_time}; the delete finds them by
 * primary key, so a batch costs the rows it moves, not the size of the table.
 */
@ApplicationScoped
public class UsageArchival {

    static final Duration MIN_RETENTION = Duration.ofDays(1);
    private static final Logger LOG = Logger.getLogger(UsageArchival.class);

    private static final String COLUMNS = """
            id, user_id, request_id, model, character_id, conversation_id, input_tokens, cached_input_tokens,
            cache_write_tokens, output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated,
            pricing_id, reservation_id, shortfall_millicredits, created_at, member_id""";

    /**
     * Parameters: the cutoff, the batch size, archived_at. The claim is an array, not {@code IN (SELECT …)}:
     * PostgreSQL hash-joins an {@code IN} with a sequential scan of all of {@code token_usage}, every
     * batch; the array is computed once and the delete goes through the primary key.
     */
    static final String MOVE_BATCH = """
            WITH moved AS (
                     DELETE FROM token_usage
                      WHERE id = ANY (ARRAY(SELECT id FROM token_usage
                                             WHERE created_at < ?
                                             ORDER BY created_at, id
                                             LIMIT ?
                                               FOR UPDATE SKIP LOCKED))
                  RETURNING %1$s),
                 archived AS (
                     INSERT INTO token_usage_archive (%1$s, archived_at)
                     SELECT %1$s, ? FROM moved
                  RETURNING id, created_at)
            SELECT (SELECT COUNT(*) FROM moved) AS moved, COUNT(*) AS archived,
                   MIN(id) AS first_id, MAX(id) AS last_id, MAX(created_at) AS newest
              FROM archived""".formatted(COLUMNS);

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    ArchivalConfig config;

    @Inject
    Clock clock;

    /**
     * What a run did: rows moved, batches committed, whether the last batch was full when the run
     * reached its bound (rows may be left for the next run), the cutoff, and the smallest and largest
     * id moved ({@code null} when nothing moved).
     */
    public record Outcome(long moved, int batches, boolean more, Instant cutoff, Long firstId, Long lastId) {
    }

    /** One run with the configured retention and bounds. */
    public Outcome archive() {
        return archiveOlderThan(cutoff(clock.instant(), config.retention()), config.batchSize(), config.maxBatches());
    }

    /** Rows created before this instant are past the retention; a retention under a day is refused. */
    static Instant cutoff(Instant now, Duration retention) {
        if (retention.compareTo(MIN_RETENTION) < 0) {
            throw new IllegalStateException("tollgate.archival.retention is " + retention + ", less than a day: refusing "
                    + "to archive (a bare number is read as seconds; write P90D)");
        }
        return now.minus(retention);
    }

    /** Moves rows created before {@code cutoff}, at most {@code maxBatches} batches of {@code batchSize} rows. */
    public Outcome archiveOlderThan(Instant cutoff, int batchSize, int maxBatches) {
        if (batchSize < 1 || maxBatches < 1) {
            throw new IllegalArgumentException("batch size and batches per run are at least 1");
        }
        long moved = 0;
        int batches = 0;
        boolean more = false;
        Long firstId = null;
        Long lastId = null;
        for (int i = 0; i < maxBatches; i++) {
            Batch batch = transactions.inNewTransaction(() -> moveBatch(cutoff, batchSize));
            if (batch.rows() > 0) {
                batches++;
                moved += batch.rows();
                firstId = firstId == null ? batch.firstId() : Math.min(firstId, batch.firstId());
                lastId = lastId == null ? batch.lastId() : Math.max(lastId, batch.lastId());
                LOG.debugf("archived %d usage rows, ids %d..%d", batch.rows(), batch.firstId(), batch.lastId());
            }
            // A short batch: nothing older is left (but rows another run holds right now).
            more = batch.rows() == batchSize;
            if (!more) {
                break;
            }
        }
        Outcome outcome = new Outcome(moved, batches, more, cutoff, firstId, lastId);
        if (moved > 0 || more) {
            LOG.infof("archived %d usage rows created before %s in %d batches (ids %s..%s)%s", moved, cutoff, batches,
                    firstId, lastId, more ? "; more are left for the next run" : "");
        }
        return outcome;
    }

    private record Batch(int rows, Long firstId, Long lastId) {
    }

    private Batch moveBatch(Instant cutoff, int batchSize) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(MOVE_BATCH)) {
            Jdbc.setTime(ps, 1, cutoff);
            ps.setInt(2, batchSize);
            Jdbc.setTime(ps, 3, clock.instant());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long deleted = rs.getLong("moved");
                long archived = rs.getLong("archived");
                Instant newest = Jdbc.getTime(rs, "newest");
                // Pair assertions of what the statement guarantees; a failure rolls the batch back.
                if (deleted != archived || archived > batchSize) {
                    throw new IllegalStateException("archival batch deleted " + deleted + " rows but archived " + archived);
                }
                if (newest != null && !newest.isBefore(cutoff)) {
                    throw new IllegalStateException("archival batch moved a row created at " + newest
                            + ", not before the cutoff " + cutoff);
                }
                return new Batch((int) archived, Jdbc.getNullableLong(rs, "first_id"), Jdbc.getNullableLong(rs, "last_id"));
            }
        } catch (SQLException e) {
            // Not DatabaseFailure.of: a unique violation here is no idempotent replay but a row the
            // archive already holds; the batch rolls back and the run fails loudly.
            throw new DatabaseFailure("archive usage rows", e);
        }
    }
}
