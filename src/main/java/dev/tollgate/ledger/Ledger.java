package dev.tollgate.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.platform.security.CurrentOrigin;
import dev.tollgate.webhook.WebhookEventTypes;
import dev.tollgate.webhook.WebhookOutbox;

/**
 * The only code that changes balances. Each operation is one SQL statement that locks the
 * account row, applies the change only if its guard holds, and writes the audit row with the
 * balances after it (see {@link BalanceChange}); it runs inside the caller's transaction, so that
 * whatever else the caller writes (usage, hold) commits or rolls back with it.
 *
 * <p>Idempotency: a mutation's key is unique per account in the audit log (and in the tables of
 * usage and holds). A second request under a used key fails on that unique index, also
 * when it races the first; the caller then answers from the stored entry
 * ({@link #findByKey}) or with a conflict if the request differs.
 *
 * <p>A refusal (402, a ledger rule) or a used key does not mark the caller's transaction for
 * rollback: the refused statement wrote nothing, or failed on the key, and the caller decides — a
 * shared transaction of {@code GroupCommit} rolls the refused work back to its savepoint and commits
 * the others.
 */
@ApplicationScoped
@Transactional(value = Transactional.TxType.MANDATORY,
        dontRollbackOn = { ProblemException.class, DuplicateRequestException.class })
public class Ledger {

    static final String ACCOUNT_OPENING_ACTOR = "system:account-opening";

    @Inject
    DataSource dataSource;

    @Inject
    PlansConfig plans;

    @Inject
    Clock clock;

    @Inject
    MonthlyRefresh monthlyRefresh;

    /** Meters and balance announcements of the entries, once their transaction commits. */
    @Inject
    CommittedEntries committedEntries;

    @Inject
    CurrentOrigin currentOrigin;

    @Inject
    GrantLots grantLots;

    @Inject
    MemberSpending memberSpending;

    @Inject
    WebhookOutbox webhooks;

    @Inject
    Instance<EntryListener> entryListenerBeans;

    /** Who is told of each entry in its transaction (webhook events of balance thresholds). */
    private List<EntryListener> entryListeners = List.of();

    @PostConstruct
    void resolveEntryListeners() {
        entryListeners = entryListenerBeans.stream().toList();
    }

    static final String LAPSE_ACTOR = "system:held-over-lapse";

    static final String GRANT_EXPIRY_ACTOR = "system:grant-expiry";

    /** The ledger key of the settle of a hold: a hold is settled at most once. */
    public static String settleKey(UUID holdId) {
        return DerivedKey.of("settle", holdId.toString());
    }

    /** The ledger key of the release of a hold. */
    public static String releaseKey(UUID holdId) {
        return DerivedKey.of("release", holdId.toString());
    }

    /** Adds credits to a bucket. */
    public LedgerEntry grant(String userId, Bucket bucket, Millicredits amount, Mutation mutation) {
        requirePositive(amount);
        BalanceChange change = bucket == Bucket.MONTHLY ? BalanceChange.GRANT_MONTHLY : BalanceChange.GRANT_PURCHASED;
        LedgerEntry entry = apply(userId, Operation.GRANT, change, amount.value(), 0, mutation)
                .orElseThrow(() -> new IllegalStateException("grant refused for an existing account")).entry();
        check(entry.spendableDelta() == amount.value() && entry.reservedDelta() == 0, entry);
        return entry;
    }

    /**
     * Adds a lot of granted credits: spent after the monthly bucket and before the purchased one,
     * by {@code priority} (smaller first) and soonest expiry, and removed at {@code expiresAt} as far
     * as it is unspent. The entry's metadata names the lot.
     */
    public GrantedLot grantLot(String userId, GrantTerms terms, Mutation mutation) {
        requirePositive(terms.amount());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = terms.expiresAt().truncatedTo(ChronoUnit.MICROS);
        if (!expires.isAfter(now)) {
            throw new IllegalArgumentException("a grant expires in the future: " + expires);
        }
        UUID lotId = UUID.randomUUID();
        LedgerEntry entry = apply(userId, Operation.GRANT, BalanceChange.GRANT_GRANTED, terms.amount().value(), 0,
                mutation.withMetadata(terms.metadata(lotId, mutation.metadataJson())))
                .orElseThrow(() -> new IllegalStateException("grant refused")).entry();
        check(entry.grantedDelta() == terms.amount().value() && entry.monthlyDelta() == 0 && entry.purchasedDelta() == 0
                && entry.reservedDelta() == 0, entry);
        grantLots.insert(lotId, userId, terms.priority(), terms.amount().value(), expires, terms.source(),
                terms.reason(), entry.id(), now);
        return new GrantedLot(lotId, expires, entry);
    }

    /**
     * Removes the unspent remainder of the account's lots that are due, each in a GRANT_EXPIRY entry
     * of its own with its {@code grant.expired} webhook event; what live holds still need stays, and
     * goes at a later pass (every change of an account with a due lot makes one). Answers the entries
     * written.
     */
    public List<LedgerEntry> expireDueGrants(String userId) {
        Instant now = clock.instant();
        lockAccount(userId);
        List<LedgerEntry> entries = new ArrayList<>();
        for (GrantLots.DueLot lot : grantLots.due(userId, now)) {
            Mutation mutation = Mutation.system(GRANT_EXPIRY_ACTOR).withMetadata("{\"lotId\":\"" + lot.id()
                    + "\",\"expiresAt\":\"" + lot.expiresAt() + "\",\"reason\":\"the lot expired\"}");
            Optional<Applied> applied = execute(userId, Operation.GRANT_EXPIRY, BalanceChange.GRANT_EXPIRY, lot.remaining(),
                    0, 0, mutation, null);
            if (applied.isEmpty()) {
                continue;
            }
            LedgerEntry entry = applied.get().entry();
            long taken = -entry.grantedDelta();
            check(taken > 0 && taken <= lot.remaining() && entry.monthlyDelta() == 0 && entry.purchasedDelta() == 0
                    && entry.reservedDelta() == 0, entry);
            committedEntries.add(entry);
            grantLots.expire(entry, lot.id(), taken, lot.remaining(), now);
            entryListeners.forEach(listener -> listener.written(entry));
            webhooks.publish(userId, WebhookEventTypes.GRANT_EXPIRED, Map.of("lotId", lot.id().toString(),
                    "expiresAt", lot.expiresAt().toString(), "expiredMillicredits", taken,
                    "keptForHoldsMillicredits", lot.remaining() - taken, "entryId", entry.id()));
            entries.add(entry);
        }
        grantLots.recomputeExpiry(userId);
        return entries;
    }

    /**
     * Adds bought credits to the purchased bucket: a paid credit pack, or credits a won dispute
     * gives back after a claw-back.
     */
    public LedgerEntry purchase(String userId, Millicredits amount, Mutation mutation) {
        requirePositive(amount);
        LedgerEntry entry = apply(userId, Operation.PURCHASE, BalanceChange.GRANT_PURCHASED, amount.value(), 0, mutation)
                .orElseThrow(() -> new IllegalStateException("purchase refused")).entry();
        check(entry.purchasedDelta() == amount.value() && entry.monthlyDelta() == 0 && entry.reservedDelta() == 0, entry);
        return entry;
    }

    /**
     * Takes bought credits back after a refund or a dispute: up to {@code amount} from the purchased
     * bucket, never below zero nor below what live holds need. Empty, writing nothing, if nothing
     * can be taken; the caller records what was not taken back.
     */
    public Optional<LedgerEntry> clawBack(String userId, Millicredits amount, Mutation mutation) {
        requirePositive(amount);
        Optional<LedgerEntry> taken = apply(userId, Operation.CLAWBACK, BalanceChange.CLAWBACK, amount.value(), 0,
                mutation).map(Applied::entry);
        taken.ifPresent(entry -> check(entry.purchasedDelta() < 0 && -entry.purchasedDelta() <= amount.value()
                && entry.monthlyDelta() == 0 && entry.reservedDelta() == 0, entry));
        return taken;
    }

    /** Spends an amount, monthly bucket first; refuses with 402 if the available balance cannot cover it. */
    public LedgerEntry charge(String userId, Millicredits amount, Mutation mutation) {
        return charge(userId, amount, mutation, null);
    }

    /**
     * A charge that writes, in the same statement, the row it is for (the usage row of a metered
     * call, {@code usage} non-null): the entry's {@code usageId} is that row's id. Nothing is
     * written if the charge is refused.
     */
    public LedgerEntry charge(String userId, Millicredits amount, Mutation mutation, LinkedRow usage) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a charge is never negative");
        }
        Applied applied = apply(userId, Operation.CHARGE, BalanceChange.CHARGE, amount.value(), 0, mutation, usage)
                .orElseThrow(() -> insufficient(userId, amount));
        LedgerEntry entry = applied.entry();
        check(entry.spendableDelta() == -amount.value() && entry.reservedDelta() == 0, entry);
        if (applied.memberRefused()) {
            memberSpending.charge(userId, mutation.memberId(), amount.value());
        }
        return entry;
    }

    /**
     * The charge of a call whose hold was freed before the call was settled (a compensation applied
     * after the hold's release or expiry), with the call's usage row: as
     * {@link #charge(String, Millicredits, Mutation, LinkedRow)}, and on a team pool the member who
     * placed the hold ({@code memberId}, null on a user's own account) has it counted as spent,
     * whatever their cap now leaves: the cap let the call start.
     */
    public LedgerEntry chargeForFreedHold(String userId, Millicredits amount, Mutation mutation, LinkedRow usage,
            String memberId) {
        LedgerEntry entry = charge(userId, amount, mutation, usage);
        if (memberId != null) {
            memberSpending.resolve(userId, memberId, 0, amount.value());
        }
        return entry;
    }

    /**
     * Sets credits aside for a call in flight, as the hold {@code holdId}; refuses
     * with 402 if they are not available. The caller chooses the id before its transaction, so that
     * a retry of a transaction whose commit was reported failed but happened can tell its own hold
     * (same id) from another request's under the same key. {@code call} is recorded with the hold:
     * what it is for, and whether its expiry frees it or charges it ({@link HeldCall#chargedAtExpiry}).
     */
    public Hold hold(UUID holdId, String userId, Millicredits amount, String model, Instant expiresAt,
            HeldCall call, Mutation mutation) {
        requirePositive(amount);
        if (mutation.idempotencyKey() == null) {
            throw new IllegalArgumentException("a hold is always made under an idempotency key");
        }
        // PostgreSQL keeps microseconds: the time returned is the time a replay will read back.
        Instant expires = expiresAt.truncatedTo(ChronoUnit.MICROS);
        ensureAccount(userId);
        insertHold(holdId, userId, amount, model, expires, call, mutation);
        Applied applied = apply(userId, Operation.HOLD, BalanceChange.HOLD, amount.value(), 0,
                mutation.withHold(holdId))
                .orElseThrow(() -> insufficient(userId, amount));
        LedgerEntry entry = applied.entry();
        check(entry.reservedDelta() == amount.value() && entry.spendableDelta() == 0, entry);
        if (applied.memberRefused()) {
            memberSpending.hold(userId, mutation.memberId(), amount.value());
        }
        return new Hold(holdId, amount, expires, entry);
    }

    /**
     * Turns a live hold into a charge of the real cost and frees the rest of it. If the cost is
     * above the hold, the difference is charged as far as the available balance covers it; the rest
     * is the shortfall, which the settlement returns and the entry's metadata records
     * ({@code shortfallMillicredits}): a settle never overdraws, and never drops a cost silently.
     */
    public Settlement settle(String userId, UUID holdId, Millicredits cost, Mutation mutation) {
        if (cost.isNegative()) {
            throw new IllegalArgumentException("a cost is never negative");
        }
        ClaimedHold claimed = claimHold(userId, holdId, CreditHold.Status.SETTLED);
        long held = claimed.amount();
        if (claimed.grantDue(clock.instant())) {
            // Due lots go first, as far as no live hold needs them: what the cost exceeds the hold by
            // is never paid with expired credits.
            expireDueGrants(userId);
        }
        Applied applied = apply(userId, Operation.SETTLE, BalanceChange.SETTLE, cost.value(), held,
                mutation.withHold(holdId))
                .orElseThrow(() -> new IllegalStateException("settle refused for a live hold"));
        LedgerEntry entry = applied.entry();
        Millicredits charged = Millicredits.of(applied.spent());
        check(entry.reservedDelta() == -held && entry.spendableDelta() == -applied.spent()
                && charged.compareTo(cost) <= 0, entry);
        recordSettledAmount(holdId, charged);
        if (claimed.memberId() != null) {
            memberSpending.resolve(userId, claimed.memberId(), held, charged.value());
        }
        lapseHeldOverIfUnneeded(userId, holdId, applied);
        return new Settlement(holdId, Millicredits.of(held), cost, charged, entry);
    }

    /** Frees a live hold without a charge. */
    public LedgerEntry release(String userId, UUID holdId, Mutation mutation) {
        return free(userId, holdId, CreditHold.Status.RELEASED, Operation.RELEASE, mutation);
    }

    /** Frees a live hold whose time ran out (the expiry job). */
    public LedgerEntry expire(String userId, UUID holdId, Mutation mutation) {
        return free(userId, holdId, CreditHold.Status.EXPIRED, Operation.EXPIRE, mutation);
    }

    /**
     * Gives back part or all of a charged call, to the buckets it was taken from in the reverse of
     * the burn order: purchased first (spent last), then the grant lots it took from, then monthly.
     * A share of a lot that has expired by now does not come back: it is forfeited, recorded on the
     * entry ({@code forfeitedMillicredits}) and counted as refunded. The refunds of a call never add
     * up to more than it cost.
     */
    public LedgerEntry refund(String userId, long usageId, Millicredits amount, Mutation mutation) {
        requirePositive(amount);
        TakenByCall taken = takenByCall(userId, usageId);
        List<GrantLots.CallShare> lots = grantLots.takenByCall(userId, usageId);
        long lotsRefundable = lots.stream().mapToLong(GrantLots.CallShare::refundable).sum();
        long purchasedRefundable = taken.purchased() - taken.refundedPurchased();
        long monthlyRefundable = taken.monthly() - taken.refundedMonthly();
        if (amount.value() > purchasedRefundable + lotsRefundable + monthlyRefundable) {
            throw LedgerRuleException.refundTooLarge();
        }
        long toPurchased = Math.min(amount.value(), purchasedRefundable);
        long rest = amount.value() - toPurchased;
        Instant now = clock.instant();
        List<GrantLots.CallShare> givenBack = new ArrayList<>();
        List<GrantLots.CallShare> forfeited = new ArrayList<>();
        for (GrantLots.CallShare lot : lots) {
            long share = Math.min(rest, lot.refundable());
            if (share > 0) {
                GrantLots.CallShare part = new GrantLots.CallShare(lot.lotId(), lot.expiresAt(), share, 0);
                (lot.expiresAt().isAfter(now) ? givenBack : forfeited).add(part);
                rest -= share;
            }
        }
        long toGranted = givenBack.stream().mapToLong(GrantLots.CallShare::taken).sum();
        long lost = forfeited.stream().mapToLong(GrantLots.CallShare::taken).sum();
        long toMonthly = rest;
        Mutation m = lost == 0 ? mutation.withUsage(usageId)
                : mutation.withUsage(usageId).withMetadata(withField(mutation.metadataJson(), "forfeitedMillicredits", lost));
        LedgerEntry entry = apply3(userId, Operation.REFUND, BalanceChange.REFUND, toMonthly, toPurchased, toGranted, m)
                .orElseThrow(() -> new IllegalStateException("refund refused")).entry();
        check(entry.spendableDelta() == amount.value() - lost && entry.grantedDelta() == toGranted, entry);
        givenBack.forEach(lot -> grantLots.giveBack(entry, lot.lotId(), lot.taken()));
        forfeited.forEach(lot -> grantLots.forfeit(entry, lot.lotId(), lot.taken()));
        return entry;
    }

    /** A JSON object with one more numeric field (the metadata this class writes is its own JSON). */
    private static String withField(String json, String name, long value) {
        String field = "\"" + name + "\":" + value;
        if (json == null || json.isBlank() || json.strip().equals("{}")) {
            return "{" + field + "}";
        }
        String object = json.strip();
        return object.substring(0, object.length() - 1) + "," + field + "}";
    }

    /**
     * Moves the purchased credits of {@code fromAccountId} that no live hold needs to the purchased
     * bucket of {@code toAccountId}: a TRANSFER entry on each side, under the derived key
     * {@code key} on both, the source first (a pool's row is locked before a user's). Empty, writing
     * nothing, when there is nothing to move.
     */
    public Optional<Transfer> transferPurchased(String fromAccountId, String toAccountId, String key, Mutation mutation) {
        Optional<AccountState> source = accountState(fromAccountId);
        long amount = source.map(state -> Math.min(state.balances().purchased(), state.balances().available())).orElse(0L);
        if (amount <= 0) {
            return Optional.empty();
        }
        String hash = RequestHash.of("transfer", fromAccountId + ">" + toAccountId);
        Mutation keyed = new Mutation(key, hash, mutation.actor(), mutation.clientIp(), mutation.userAgent(), null, null,
                mutation.metadataJson());
        LedgerEntry out = apply(fromAccountId, Operation.TRANSFER, BalanceChange.ADJUST_PURCHASED, -amount, 0, keyed)
                .orElseThrow(() -> LedgerRuleException.wouldOverdraw(Bucket.PURCHASED)).entry();
        ensureAccount(toAccountId);
        LedgerEntry in = apply(toAccountId, Operation.TRANSFER, BalanceChange.GRANT_PURCHASED, amount, 0, keyed)
                .orElseThrow(() -> new IllegalStateException("transfer refused")).entry();
        check(out.purchasedDelta() == -amount && in.purchasedDelta() == amount, in);
        return Optional.of(new Transfer(amount, out, in));
    }

    /** Purchased credits moved between two accounts: how many, and the entry on each side. */
    public record Transfer(long amountMillicredits, LedgerEntry out, LedgerEntry in) {
    }

    /** An admin's signed correction of one bucket; refused if it would overdraw. */
    public LedgerEntry adjust(String userId, Bucket bucket, Millicredits signedAmount, Mutation mutation) {
        if (signedAmount.value() == 0) {
            throw new IllegalArgumentException("an adjustment is never zero");
        }
        ensureAccount(userId);
        BalanceChange change = bucket == Bucket.MONTHLY ? BalanceChange.ADJUST_MONTHLY : BalanceChange.ADJUST_PURCHASED;
        LedgerEntry entry = apply(userId, Operation.ADJUST, change, signedAmount.value(), 0, mutation)
                .orElseThrow(() -> LedgerRuleException.wouldOverdraw(bucket)).entry();
        check(entry.spendableDelta() == signedAmount.value(), entry);
        return entry;
    }

    /**
     * Replaces the monthly bucket at a period start (see {@link MonthlyRefresh}, the only caller):
     * the allowance, or with a rollover cap ({@code >= 0}) the old monthly no hold holds plus the
     * allowance up to the cap. Old monthly credits that live holds were placed with are kept as
     * held over beside it (the entry's metadata says how many); they pay for those holds' calls,
     * and lapse when the holds are resolved.
     */
    Applied refresh(String userId, long allowance, long rolloverCap, Instant periodStart) {
        Applied applied = apply(userId, Operation.REFRESH, BalanceChange.REFRESH, allowance, rolloverCap,
                Mutation.system(MonthlyRefresh.ACTOR).withMetadata("{\"periodStart\":\"" + periodStart + "\"}"))
                .orElseThrow(() -> new IllegalStateException("refresh refused"));
        check(applied.heldOverAfter() <= applied.entry().after().reserved(), applied.entry());
        return applied;
    }

    /**
     * What the payer can spend now: the account's available credits (opening it if need be), on a
     * team pool at most what the member's cap leaves them; 403 for a pool they are not a member of.
     */
    public long spendable(Payer payer) {
        long available = ensureAccount(payer.accountId()).balances().available();
        return payer.memberId() == null ? available
                : Math.min(available, memberSpending.capLeft(payer.accountId(), payer.memberId()));
    }

    /** The entry written under an idempotency key of this account, if any. */
    public Optional<LedgerEntry> findByKey(String userId, String idempotencyKey) {
        return CreditAuditLog.<CreditAuditLog> find("userId = ?1 and idempotencyKey = ?2", userId, idempotencyKey)
                .firstResultOptional()
                .map(LedgerEntry::of);
    }

    /**
     * Opens the account of a user seen for the first time, on the default plan with its monthly
     * allowance (written to the ledger as a grant), or refreshes an existing one whose period is
     * over. Safe to call concurrently: one call opens it, one refreshes it.
     *
     * @return the account, opened now or before
     */
    public CreditAccount ensureAccount(String userId) {
        CreditAccount account = CreditAccount.findById(userId);
        if (account != null) {
            // Lazily, if the refresh job has not reached this account yet in a new period.
            if (account.periodStart.isBefore(monthlyRefresh.currentPeriodStart()) && monthlyRefresh.refreshIfDue(userId)) {
                CreditAccount.getEntityManager().refresh(account);
            }
            // Lazily too, if the expiry job has not reached a due lot yet: a balance never shows expired credits.
            if (account.grantsExpireAt != null && !account.grantsExpireAt.isAfter(clock.instant())) {
                expireDueGrants(userId);
                CreditAccount.getEntityManager().refresh(account);
            }
            return account;
        }
        String planName = Payer.isPoolAccount(userId) ? plans.teamPlan() : plans.defaultPlan();
        long allowance = plans.plan(planName).monthlyAllowanceMillicredits();
        Instant now = clock.instant();
        Instant periodStart = YearMonth.from(now.atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        String sql = """
                INSERT INTO credit_account (user_id, plan, monthly_millicredits, purchased_millicredits,
                       reserved_millicredits, period_start, created_at, updated_at)
                VALUES (?, ?, 0, 0, 0, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            ps.setString(2, planName);
            Jdbc.setTime(ps, 3, periodStart);
            Jdbc.setTime(ps, 4, now);
            Jdbc.setTime(ps, 5, now);
            boolean opened = ps.executeUpdate() == 1;
            if (opened && allowance > 0) {
                grant(userId, Bucket.MONTHLY, Millicredits.of(allowance), Mutation.system(ACCOUNT_OPENING_ACTOR)
                        .withMetadata("{\"reason\":\"account opened\",\"plan\":\"" + planName + "\"}"));
            }
            if (opened) {
                plans.plan(planName).signUpGrant().filter(bonus -> bonus.millicredits() > 0).ifPresent(bonus -> grantLot(
                        userId, new GrantTerms(Millicredits.of(bonus.millicredits()), now.plus(bonus.expiresAfter()),
                                bonus.priority(), "plan:" + planName, bonus.reason()),
                        Mutation.system(ACCOUNT_OPENING_ACTOR).withMetadata("{\"reason\":\"sign-up grant\",\"plan\":\""
                                + planName + "\"}")));
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("open account", e);
        }
        return CreditAccount.findById(userId);
    }

    /**
     * An entry as its statement returned it, with what the audit row does not keep: what the
     * operation spent (for a settle, what it charged), the held-over credits after it, and
     * {@code memberRefused}: the statement counted a pool member's charge or hold against their cap
     * ({@link BalanceChange#sqlCountingMember}) and the cap refused it; the caller then runs
     * {@link MemberSpending}'s own take, which tries again or explains the refusal, and whose refusal
     * rolls the change back.
     */
    record Applied(LedgerEntry entry, long spent, long heldOverAfter, Instant grantsExpireAt, boolean memberRefused) {
    }

    /**
     * Held-over credits back the holds that were live at a refresh; once a hold is resolved, those
     * beyond what the remaining holds need leave the held-over part, in an entry of their own: they
     * lapse, or with a rollover plan join the period's monthly credits up to the cap.
     */
    private void lapseHeldOverIfUnneeded(String userId, UUID holdId, Applied resolved) {
        if (resolved.heldOverAfter() <= resolved.entry().after().reserved()) {
            return;
        }
        String plan = CreditAccount.<CreditAccount> findByIdOptional(userId).map(a -> a.plan).orElse(plans.defaultPlan());
        long rolloverCap = plans.plan(plan).rolloverCapMillicredits().orElse(-1L);
        Applied lapse = apply(userId, Operation.LAPSE, BalanceChange.LAPSE, 0, rolloverCap, Mutation.system(LAPSE_ACTOR)
                .withHold(holdId)
                .withMetadata("{\"reason\":\"held-over credits of an earlier period lapse: the holds they backed are resolved\"}"))
                .orElseThrow(() -> new IllegalStateException("lapse refused"));
        LedgerEntry entry = lapse.entry();
        check(entry.purchasedDelta() == 0 && entry.reservedDelta() == 0 && entry.monthlyDelta() <= 0
                && lapse.heldOverAfter() == entry.after().reserved(), entry);
    }

    /**
     * Applies a change with its arguments, in the order the change names them (a settle's cost
     * and held amount, a refresh's allowance and rollover cap; see {@link BalanceChange}); a change
     * of one argument ignores the second.
     */
    private Optional<Applied> apply(String userId, Operation operation, BalanceChange change, long first,
            long second, Mutation mutation) {
        return apply(userId, operation, change, first, second, 0, mutation, null);
    }

    private Optional<Applied> apply(String userId, Operation operation, BalanceChange change, long first,
            long second, Mutation mutation, LinkedRow linked) {
        return apply(userId, operation, change, first, second, 0, mutation, linked);
    }

    /** A change of three arguments (a refund's three buckets). */
    private Optional<Applied> apply3(String userId, Operation operation, BalanceChange change, long first,
            long second, long third, Mutation mutation) {
        return apply(userId, operation, change, first, second, third, mutation, null);
    }

    /**
     * Runs the change's statement and then what it implies for the grant lots: the lots that the
     * granted part of a spend came from, and the expiry of lots that are due. A charge or hold
     * refused because a lot is due is tried again once the due lots are expired.
     */
    private Optional<Applied> apply(String userId, Operation operation, BalanceChange change, long first,
            long second, long third, Mutation mutation, LinkedRow linked) {
        Optional<Applied> applied = execute(userId, operation, change, first, second, third, mutation, linked);
        if (applied.isEmpty()) {
            Optional<AccountState> account = accountState(userId);
            if (account.isEmpty()) {
                // Nothing was written (the linked row neither: it is inserted only with the change).
                ensureAccount(userId);
                applied = execute(userId, operation, change, first, second, third, mutation, linked);
            } else if (account.get().grantDue(clock.instant())) {
                expireDueGrants(userId);
                applied = execute(userId, operation, change, first, second, third, mutation, linked);
            }
        }
        applied.ifPresent(a -> {
            committedEntries.add(a.entry());
            if (a.entry().grantedDelta() < 0) {
                long taken = grantLots.spend(a.entry(), clock.instant());
                check(taken == -a.entry().grantedDelta(), a.entry());
            }
            if (!ACCOUNT_OPENING_ACTOR.equals(mutation.actor())) {
                entryListeners.forEach(listener -> listener.written(a.entry()));
            }
            if (a.grantsExpireAt() != null && !a.grantsExpireAt().isAfter(clock.instant())) {
                expireDueGrants(userId);
            }
        });
        return applied;
    }

    private Optional<Applied> execute(String userId, Operation operation, BalanceChange change, long first,
            long second, long third, Mutation mutation, LinkedRow linked) {
        // A system entry caused by a request (an account opened by a first call) keeps that request's origin.
        Mutation m = mutation.clientIp() != null || mutation.userAgent() != null ? mutation
                : currentOrigin.get().map(o -> mutation.withOriginIfAbsent(o.clientIp(), o.userAgent())).orElse(mutation);
        // PostgreSQL keeps microseconds: the time returned is the time a replay will read back.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        // A member's charge or hold counts against their cap in the same statement.
        boolean countsMember = m.memberId() != null && (change == BalanceChange.CHARGE || change == BalanceChange.HOLD);
        String sql = countsMember ? change.sqlCountingMember(linked == null ? null : linked.insertSql())
                : linked == null ? change.sql : change.sqlWithLinkedRow(linked.insertSql());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            // In the order LedgerStatements.change names.
            int i = 1;
            ps.setLong(i++, first);
            ps.setLong(i++, second);
            ps.setLong(i++, third);
            Jdbc.setTime(ps, i++, now);
            ps.setString(i++, userId);
            Jdbc.setTime(ps, i++, now);
            if (linked != null) {
                i = linked.bind(ps, i);
            }
            if (countsMember) {
                ps.setString(i++, m.memberId());
            }
            ps.setString(i++, operation.name());
            ps.setString(i++, m.idempotencyKey());
            ps.setString(i++, m.requestHash());
            if (linked == null) {
                Jdbc.setNullableLong(ps, i++, m.usageId());
            }
            Jdbc.setNullableUuid(ps, i++, m.holdId());
            ps.setString(i++, m.actor());
            ps.setString(i++, m.clientIp());
            ps.setString(i++, m.userAgent());
            Jdbc.setTime(ps, i++, now);
            ps.setString(i, m.metadataJson());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                LedgerEntry entry = new LedgerEntry(rs.getLong("id"), userId, operation, rs.getLong("monthly_delta"),
                        rs.getLong("granted_delta"), rs.getLong("purchased_delta"), rs.getLong("reserved_delta"),
                        new Balances(rs.getLong("monthly_after"), rs.getLong("granted_after"),
                                rs.getLong("purchased_after"), rs.getLong("reserved_after")),
                        m.idempotencyKey(), m.requestHash(), Jdbc.getNullableLong(rs, "usage_id"), m.holdId(), now);
                long heldOver = rs.getLong("held_over_after");
                check(heldOver >= 0 && heldOver <= entry.after().monthly(), entry);
                return Optional.of(new Applied(entry, rs.getLong("spent"), heldOver,
                        Jdbc.getTime(rs, "grants_expire_at"), countsMember && !rs.getBoolean("member_counted")));
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of(operation.name().toLowerCase(), e);
        }
    }

    /** An account's balances, and no later than when its next grant lot expires (null: none). */
    private record AccountState(Balances balances, Instant grantsExpireAt) {
        boolean grantDue(Instant now) {
            return grantsExpireAt != null && !grantsExpireAt.isAfter(now);
        }
    }

    private Optional<AccountState> accountState(String userId) {
        String sql = """
                SELECT monthly_millicredits, granted_millicredits, purchased_millicredits, reserved_millicredits,
                       grants_expire_at
                  FROM credit_account WHERE user_id = ?""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new AccountState(new Balances(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4)), Jdbc.getTime(rs, "grants_expire_at"))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("read balances", e);
        }
    }

    /** Takes the account's row lock (held until the transaction ends), as every balance change does first. */
    private void lockAccount(String userId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM credit_account WHERE user_id = ? FOR NO KEY UPDATE")) {
            ps.setString(1, userId);
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw DatabaseFailure.of("lock account", e);
        }
    }

    private InsufficientCreditsException insufficient(String userId, Millicredits required) {
        Balances balances = accountState(userId).orElseThrow().balances();
        String plan = CreditAccount.<CreditAccount> findByIdOptional(userId).map(a -> a.plan).orElse(plans.defaultPlan());
        return new InsufficientCreditsException(required, Millicredits.of(balances.available()), plan,
                plans.upgradeHint(plan), Payer.isPoolAccount(userId) ? userId : null);
    }

    private void insertHold(UUID id, String userId, Millicredits amount, String model, Instant expiresAt,
            HeldCall call, Mutation m) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(LedgerStatements.HOLD_INSERT)) {
            Jdbc.setNullableUuid(ps, 1, id);
            ps.setString(2, userId);
            ps.setLong(3, amount.value());
            ps.setString(4, model);
            ps.setString(5, m.idempotencyKey());
            ps.setString(6, m.requestHash());
            Jdbc.setTime(ps, 7, expiresAt);
            Jdbc.setTime(ps, 8, clock.instant());
            ps.setLong(9, call.promptTokens());
            ps.setLong(10, call.maxOutputTokens());
            ps.setString(11, call.characterId());
            ps.setString(12, call.conversationId());
            ps.setBoolean(13, call.chargedAtExpiry());
            ps.setString(14, m.memberId());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw DatabaseFailure.of("insert hold", e);
        }
    }

    /**
     * A hold claimed for its resolution: what it held, the account's next grant expiry as the claim
     * read it, and the pool member who placed it (null on a user's own account).
     */
    private record ClaimedHold(long amount, Instant grantsExpireAt, String memberId) {
        boolean grantDue(Instant now) {
            return grantsExpireAt != null && !grantsExpireAt.isAfter(now);
        }
    }

    /** Moves a live hold of this user to its final state; answers the amount it held. */
    private ClaimedHold claimHold(String userId, UUID holdId, CreditHold.Status to) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(LedgerStatements.HOLD_CLAIM)) {
            ps.setString(1, to.name());
            Jdbc.setTime(ps, 2, clock.instant());
            // Settled amounts are written after the charge; 0 keeps the row's CHECK satisfied meanwhile.
            Jdbc.setNullableLong(ps, 3, to == CreditHold.Status.SETTLED ? 0L : null);
            Jdbc.setNullableUuid(ps, 4, holdId);
            ps.setString(5, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new ClaimedHold(rs.getLong(1), Jdbc.getTime(rs, "grants_expire_at"), rs.getString("member_id"));
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("claim hold", e);
        }
        CreditHold existing = CreditHold.findById(holdId);
        if (existing == null || !existing.userId.equals(userId)) {
            throw LedgerRuleException.holdNotFound();
        }
        throw LedgerRuleException.holdResolved(existing.status);
    }

    private void recordSettledAmount(UUID holdId, Millicredits charged) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(LedgerStatements.SETTLED_AMOUNT)) {
            ps.setLong(1, charged.value());
            Jdbc.setNullableUuid(ps, 2, holdId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw DatabaseFailure.of("record settled amount", e);
        }
    }

    private LedgerEntry free(String userId, UUID holdId, CreditHold.Status to, Operation operation,
            Mutation mutation) {
        ClaimedHold claimed = claimHold(userId, holdId, to);
        long held = claimed.amount();
        Applied applied = apply(userId, operation, BalanceChange.RELEASE, held, 0,
                mutation.withHold(holdId))
                .orElseThrow(() -> new IllegalStateException("release refused for a live hold"));
        LedgerEntry entry = applied.entry();
        check(entry.reservedDelta() == -held && entry.spendableDelta() == 0, entry);
        if (claimed.memberId() != null) {
            memberSpending.resolve(userId, claimed.memberId(), held, 0);
        }
        lapseHeldOverIfUnneeded(userId, holdId, applied);
        return entry;
    }

    /**
     * The monthly and purchased credits a call took (charge or settle), and what its refunds gave
     * back to each so far (its granted share is per lot: {@link GrantLots#takenByCall}).
     */
    private record TakenByCall(long monthly, long purchased, long refundedMonthly, long refundedPurchased) {
    }

    private TakenByCall takenByCall(String userId, long usageId) {
        String sql = """
                SELECT COALESCE(-SUM(monthly_delta) FILTER (WHERE operation IN ('CHARGE', 'SETTLE')), 0),
                       COALESCE(-SUM(purchased_delta) FILTER (WHERE operation IN ('CHARGE', 'SETTLE')), 0),
                       COALESCE(SUM(monthly_delta) FILTER (WHERE operation = 'REFUND'), 0),
                       COALESCE(SUM(purchased_delta) FILTER (WHERE operation = 'REFUND'), 0),
                       COUNT(*) FILTER (WHERE operation IN ('CHARGE', 'SETTLE'))
                  FROM credit_audit_log WHERE user_id = ? AND usage_id = ?""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            ps.setLong(2, usageId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(5) == 0) {
                    throw LedgerRuleException.usageNotFound();
                }
                return new TakenByCall(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("read charge of call", e);
        }
    }

    private static void requirePositive(Millicredits amount) {
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("amount must be positive: " + amount.value());
        }
    }

    /** The code-side twin of the database's CHECK constraints: a violated rule rolls the transaction back. */
    private static void check(boolean holds, LedgerEntry entry) {
        if (!holds) {
            throw new IllegalStateException("ledger rule broken by entry " + entry);
        }
    }
}
