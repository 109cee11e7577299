package dev.tollgate.metering;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.vertx.core.json.JsonObject;

import dev.tollgate.compensation.CompensationQueue;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.Usage;

/**
 * Ends the holds whose time ran out, in bounded batches, each batch one transaction. A batch claims
 * its holds with {@code FOR UPDATE SKIP LOCKED}, so two runs at once never end a hold twice and
 * never wait for each other. A hold with a pending compensation is left to the compensation batch,
 * which settles it; so is one whose charge or release this process keeps until the database takes
 * it ({@link CompensationQueue#waitingHoldIds}): the claim leaves them out, so that they never stand
 * in the way of the holds behind them.
 *
 * <p>How a hold ends depends on whose call it is for:
 * <ul>
 * <li>another backend's call (a reservation): it is freed, an {@code EXPIRE} entry. The backend
 * never settled or released it.</li>
 * <li>Tollgate's own call (the chat call, {@link dev.tollgate.ledger.HeldCall#chargedAtExpiry}):
 * its call resolves it before its time (the longest call and the settle's patience fit in the TTL,
 * checked at start-up), so a hold still unresolved is a call the app stopped in (killed, crashed)
 * after placing it. Whether the provider ran it is unknown, so the whole hold is charged: a
 * {@code SETTLE} under the hold's settle key ({@link Ledger#settleKey}), with a usage row of the
 * prompt and the whole output budget, marked estimated. A settle or compensation of the call that
 * comes later meets that key and charges nothing more.</li>
 * </ul>
 */
@ApplicationScoped
public class HoldExpiry {

    static final String ACTOR = "job:expire-holds";
    private static final Logger LOG = Logger.getLogger(HoldExpiry.class);
    /** Expired holds, but those a pending compensation or this process's hand-off queue will resolve. */
    private static final String CLAIM = """
            SELECT r.id, r.user_id, r.amount_millicredits, r.model, r.idempotency_key, r.created_at, r.prompt_tokens,
                   r.max_output_tokens, r.character_id, r.conversation_id, r.charged_at_expiry
              FROM credit_reservation r
             WHERE r.status = 'HELD' AND r.expires_at < ? AND r.id <> ALL (?)
               AND NOT EXISTS (SELECT 1 FROM credit_compensation c
                                WHERE c.reservation_id = r.id AND c.status = 'PENDING')
             ORDER BY r.expires_at
             LIMIT ?
             FOR UPDATE OF r SKIP LOCKED""";
    private static final String UNKNOWN_OUTCOME = new JsonObject().put("reason",
            "outcome unknown: the hold of a call the app stopped in expired unresolved; the whole hold is charged").encode();

    @Inject
    Ledger ledger;

    @Inject
    HoldSettlement holdSettlement;

    @Inject
    PriceList priceList;

    @Inject
    CompensationQueue compensations;

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    /** What a run did: holds freed, and holds of Tollgate's own calls charged as an unknown outcome. */
    public record Expired(int freed, int charged) {

        public int total() {
            return freed + charged;
        }
    }

    /** A claimed hold, with what its charge needs if it is Tollgate's own call. */
    private record Claimed(UUID holdId, String userId, long amount, String model, String idempotencyKey,
            Instant createdAt, Long promptTokens, Long maxOutputTokens, String characterId, String conversationId,
            boolean chargedAtExpiry) {
    }

    public Expired expire(int batchSize, int maxBatches) {
        int freed = 0;
        int charged = 0;
        for (int batch = 0; batch < maxBatches; batch++) {
            Expired ended = transactions.inNewTransaction(() -> end(claim(batchSize)));
            freed += ended.freed();
            charged += ended.charged();
            if (ended.total() < batchSize) {
                break;
            }
        }
        return new Expired(freed, charged);
    }

    private List<Claimed> claim(int batchSize) {
        return Rows.query(dataSource, "claim expired holds", CLAIM, (c, ps) -> {
            Jdbc.setTime(ps, 1, clock.instant());
            ps.setArray(2, c.createArrayOf("uuid", compensations.waitingHoldIds().toArray()));
            ps.setInt(3, batchSize);
        }, rs -> new Claimed(rs.getObject("id", UUID.class), rs.getString("user_id"),
                rs.getLong("amount_millicredits"), rs.getString("model"), rs.getString("idempotency_key"),
                Jdbc.getTime(rs, "created_at"), rs.getObject("prompt_tokens", Long.class),
                rs.getObject("max_output_tokens", Long.class), rs.getString("character_id"),
                rs.getString("conversation_id"), rs.getBoolean("charged_at_expiry")));
    }

    private Expired end(List<Claimed> claimed) {
        int freed = 0;
        int charged = 0;
        for (Claimed hold : claimed) {
            if (hold.chargedAtExpiry()) {
                chargeUnknownOutcome(hold);
                charged++;
            } else {
                ledger.expire(hold.userId(), hold.holdId(), Mutation.system(ACTOR));
                freed++;
            }
        }
        return new Expired(freed, charged);
    }

    private void chargeUnknownOutcome(Claimed hold) {
        Price price = priceList.at(hold.model(), hold.createdAt());
        Millicredits amount = Millicredits.of(hold.amount());
        Usage worstCase = new Usage(hold.promptTokens(), 0, 0, hold.maxOutputTokens(), 0);
        holdSettlement.settle(new UsageRow(hold.userId(), hold.idempotencyKey(), hold.model(), hold.characterId(),
                hold.conversationId(), worstCase, true, price, amount, hold.holdId()),
                new Mutation(Ledger.settleKey(hold.holdId()), RequestHash.of("settle", worstCase), ACTOR, null, null,
                        null, hold.holdId(), UNKNOWN_OUTCOME));
        LOG.warnf("hold %s of user %s expired unresolved: the app stopped in its call; charged the hold of %d "
                + "millicredits (outcome unknown)", hold.holdId(), hold.userId(), amount.value());
    }
}
