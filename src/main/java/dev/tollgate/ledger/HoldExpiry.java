package dev.tollgate.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.tx.Transactions;

/**
 * Frees holds whose time ran out, in bounded batches, each batch one transaction. A batch claims
 * its holds with {@code FOR UPDATE SKIP LOCKED}, so two runs at once never free a hold twice and
 * never wait for each other; a hold with a pending compensation is left to the compensation batch,
 * which will settle it.
 */
@ApplicationScoped
public class HoldExpiry {

    static final String ACTOR = "job:expire-holds";
    private static final String CLAIM = """
            SELECT r.id, r.user_id FROM credit_reservation r
             WHERE r.status = 'HELD' AND r.expires_at < ?
               AND NOT EXISTS (SELECT 1 FROM credit_compensation c
                                WHERE c.reservation_id = r.id AND c.status = 'PENDING')
             ORDER BY r.expires_at
             LIMIT ?
             FOR UPDATE OF r SKIP LOCKED""";

    @Inject
    Ledger ledger;

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    /** @return how many holds were freed */
    public int expire(int batchSize, int maxBatches) {
        int expired = 0;
        for (int batch = 0; batch < maxBatches; batch++) {
            int freed = transactions.inNewTransaction(() -> expireBatch(batchSize));
            expired += freed;
            if (freed < batchSize) {
                break;
            }
        }
        return expired;
    }

    private int expireBatch(int batchSize) {
        List<String[]> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            Jdbc.setTime(ps, 1, clock.instant());
            ps.setInt(2, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new String[] { rs.getString(1), rs.getString(2) });
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("claim expired holds", e);
        }
        for (String[] hold : claimed) {
            ledger.expire(hold[1], UUID.fromString(hold[0]), Mutation.system(ACTOR));
        }
        return claimed.size();
    }
}
