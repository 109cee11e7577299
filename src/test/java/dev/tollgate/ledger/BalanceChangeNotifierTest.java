package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The ledger announces the changes of committed transactions on {@code credit_balance_changed},
 * batched, and nothing else: listened to here on a connection of the test's own.
 */
@QuarkusTest
class BalanceChangeNotifierTest {

    static final long WAIT_MILLIS = 15_000;

    @Inject
    Ledger ledger;

    @Inject
    AdminActionLog adminActions;

    @Inject
    Transactions transactions;

    private Connection listener;
    /** Every line heard so far. */
    private final List<String> heard = new ArrayList<>();

    @BeforeEach
    void listen() throws SQLException {
        listener = TestDatabase.connect();
        listener.setAutoCommit(true);
        try (Statement listen = listener.createStatement()) {
            listen.execute("LISTEN " + BalanceChangeNotifier.CHANNEL);
        }
    }

    @AfterEach
    void close() throws SQLException {
        listener.close();
    }

    @Test
    void aCommittedChangeIsAnnouncedWithItsEntryAndARolledBackOneNever() throws SQLException {
        String rolledBack = "notify-rollback-" + UUID.randomUUID();
        String committed = "notify-commit-" + UUID.randomUUID();
        // Both accounts exist before (their openings are announced too: heard and set aside).
        long openedRolledBack = opened(rolledBack);
        long openedCommitted = opened(committed);
        awaitLine(openedRolledBack + ":" + rolledBack);
        awaitLine(openedCommitted + ":" + committed);

        assertThatThrownBy(() -> transactions.inNewTransaction(() -> {
            ledger.grant(rolledBack, Bucket.PURCHASED, Millicredits.of(5_000), Mutation.system("test:rolled-back"));
            throw new IllegalStateException("the caller fails after the ledger wrote its entry");
        })).hasMessageContaining("caller fails");
        LedgerEntry grant = transactions.inNewTransaction(() ->
                ledger.grant(committed, Bucket.PURCHASED, Millicredits.of(5_000), Mutation.system("test:committed")));

        // The rolled-back change completed before the committed one started: had it been
        // announced, it would be heard no later than the committed one.
        awaitLine(grant.id() + ":" + committed);
        assertThat(heard).filteredOn(line -> line.endsWith(":" + rolledBack))
                .containsExactly(openedRolledBack + ":" + rolledBack);
        assertThat(LedgerProbe.buckets(rolledBack)[1]).as("the rolled-back grant").isZero();
    }

    @Test
    void aTransactionThatChangesAccountsSeveralTimesAnnouncesEachAccountWithItsLatestEntry() throws SQLException {
        String alice = "notify-alice-" + UUID.randomUUID();
        String bob = "notify-bob-" + UUID.randomUUID();
        LedgerEntry[] entries = transactions.inNewTransaction(() -> new LedgerEntry[] {
                ledger.grant(alice, Bucket.PURCHASED, Millicredits.of(1), Mutation.system("test")),
                ledger.grant(bob, Bucket.PURCHASED, Millicredits.of(2), Mutation.system("test")),
                ledger.grant(alice, Bucket.PURCHASED, Millicredits.of(3), Mutation.system("test")) });

        awaitLine(entries[2].id() + ":" + alice);
        awaitLine(entries[1].id() + ":" + bob);
        // Alice's account was opened in the same transaction (a grant too): one line for her.
        assertThat(heard).filteredOn(line -> line.endsWith(":" + alice)).containsExactly(entries[2].id() + ":" + alice);
        assertThat(heard).filteredOn(line -> line.endsWith(":" + bob)).containsExactly(entries[1].id() + ":" + bob);
    }

    @Test
    void anAdminActionIsNotABalanceChangeAndIsNotAnnounced() throws SQLException {
        long action = transactions.inNewTransaction(() -> adminActions.record(AdminAction.JOB_RUN, "admin:notify-test",
                "test", JsonNodeFactory.instance.objectNode(), new RequestOrigin("127.0.0.1", "test")));
        String marker = "notify-marker-" + UUID.randomUUID();
        long opened = opened(marker);

        awaitLine(opened + ":" + marker);
        assertThat(heard).noneMatch(line -> line.startsWith(action + ":"));
    }

    @Test
    void aLedgerRowWrittenStraightToTheDatabaseIsNotAnnounced() throws SQLException {
        // Only the application announces changes (V7 dropped the trigger of V6): a writer that
        // bypasses it is not pushed; open pages see its change on their next resync.
        String bypassed = "notify-bypassed-" + UUID.randomUUID();
        long opening = opened(bypassed);
        awaitLine(opening + ":" + bypassed);
        LedgerProbe.execute("""
                WITH a AS (UPDATE credit_account SET purchased_millicredits = purchased_millicredits + 5000,
                                  updated_at = now() WHERE user_id = ?
                           RETURNING user_id, monthly_millicredits, purchased_millicredits, reserved_millicredits)
                INSERT INTO credit_audit_log (user_id, operation, monthly_delta, purchased_delta, reserved_delta,
                       monthly_after, purchased_after, reserved_after, actor, created_at)
                SELECT user_id, 'GRANT', 0, 5000, 0, monthly_millicredits, purchased_millicredits,
                       reserved_millicredits, 'test:bypassing-the-application', now() FROM a""", bypassed);
        assertThat(LedgerProbe.auditRows(bypassed)).isEqualTo(2);
        String marker = "notify-marker-" + UUID.randomUUID();
        long markerOpening = opened(marker);

        awaitLine(markerOpening + ":" + marker);
        assertThat(heard).filteredOn(line -> line.endsWith(":" + bypassed)).containsExactly(opening + ":" + bypassed);
    }

    /** Opens the account; answers the id of its opening entry. */
    private long opened(String user) {
        transactions.inNewTransaction(() -> ledger.ensureAccount(user));
        return LedgerProbe.count("SELECT MAX(id) FROM credit_audit_log WHERE user_id = ?", user);
    }

    /** Waits for a line, keeping every line heard meanwhile; fails if it does not come. */
    private void awaitLine(String expected) throws SQLException {
        PGConnection pg = listener.unwrap(PGConnection.class);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (!heard.contains(expected)) {
            long left = deadline - System.currentTimeMillis();
            assertThat(left).as("waited for " + expected + ", heard " + heard).isPositive();
            PGNotification[] batch = pg.getNotifications((int) Math.min(left, 500));
            if (batch != null) {
                for (PGNotification notification : batch) {
                    heard.addAll(List.of(notification.getParameter().split("\n")));
                }
            }
        }
    }
}
