package dev.tollgate.team;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.tollgate.charge.ChargeRequest;
import dev.tollgate.charge.ChargeService;
import dev.tollgate.ledger.GrantTerms;
import dev.tollgate.ledger.InsufficientCreditsException;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.ledger.MemberCapReachedException;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Payer;
import dev.tollgate.metering.CostEstimator;
import dev.tollgate.metering.TokenCounts;
import dev.tollgate.platform.idempotency.IdempotencyConflictException;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.reservation.ReservationRequest;
import dev.tollgate.reservation.ReservationResponses;
import dev.tollgate.reservation.ReservationService;
import dev.tollgate.reservation.SettleRequest;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.testing.Tokens;
import dev.tollgate.tokens.ChatMessage;
import dev.tollgate.tokens.TokenEstimator;

/**
 * Random interleavings on one team pool of 3 to 5 members, checked against a sequential model. Each
 * sequence is a run of groups of 2 to 4 operations started at once from threads: members' charges
 * ({@link ChargeService}), holds, settles at, below and above the hold, and releases
 * ({@link ReservationService}), the owner's cap changes (set, raise, lower below what is spent,
 * remove) and removals and re-adds of members (the team API over HTTP, {@link TeamService}), and
 * top-ups of the pool. A group ends before the next one starts. The money calls name the payer as
 * the resources do after {@link TeamPayers}; its early 403 for a removed member is left out, so
 * that the ledger's own check in the transaction is what refuses them.
 *
 * <p>What is checked, per group. Every transaction on the pool takes the pool's row lock at its
 * ledger statement and keeps it to its commit, and the member's row (cap, spending) is changed after
 * that in the same transaction; a team change locks the member rows. So the system is correct only
 * if the group's outcomes are those of <em>some</em> sequential order of its operations in which the
 * committed ledger entries come in the order of their ids: a team change, a refused operation and a
 * release answered as a replay have no entry, and may sit anywhere. With at most 4 operations, every
 * order is tried (at most 24), against the model from the state after the previous group; the group
 * passes if one order gives
 * <ul>
 * <li>the same decision for every operation, refusals by the same reason (the pool's balance first,
 * then membership and the member's cap, as the ledger checks them; a hold resolved already, but a
 * second settle under the hold's key is answered as the first if it asks the same and refused as a
 * reused key if not, and a second release is answered as the first; a hold of another member), where an accepted charge or hold must leave the member's spent + held within
 * their cap at its place (a settle may pass the cap: the provider billed it);
 * <li>the same ledger entries, in id order, with the same balances after each (read back from
 * {@code credit_audit_log}: no refused operation left one);
 * <li>the same state after the group: the pool's monthly, granted, purchased and reserved buckets,
 * each member's cap, spent, held and whether they are active, and each hold's status and settled
 * amount.
 * </ul>
 * Besides, after every group the ledger's sums equal the buckets, the lots the granted bucket, and
 * no credits are held over. A failure names the seed, the group, its operations with their outcomes
 * and, for each order tried, the first difference. Coverage counts at the end show that the
 * sequences reached every decision they are meant to check, among them a removed member's hold that
 * settles and counts into their spent.
 */
@QuarkusTest
class TeamPoolPropertyTest {

    private static final Logger LOG = Logger.getLogger(TeamPoolPropertyTest.class);
    private static final int SEQUENCES = 10;
    private static final int GROUPS = 45;
    private static final String MODEL = "gpt-4o";
    private static final RequestOrigin ORIGIN = new RequestOrigin("127.0.0.1", "team-property");
    private static final List<ChatMessage> PROMPT = List.of(new ChatMessage("user", "Hello", null));

    @Inject
    ChargeService charges;

    @Inject
    ReservationService reservations;

    @Inject
    Ledger ledger;

    @Inject
    Transactions transactions;

    @Inject
    PriceList prices;

    @Inject
    CostEstimator estimator;

    @Inject
    TokenEstimator tokens;

    @Inject
    Clock clock;

    private Connection checks;
    private Price price;
    private long promptTokens;
    private final Map<String, Integer> coverage = new TreeMap<>();

    @Test
    void everyGroupOfConcurrentOperationsIsSomeOrderOfTheModel() throws Exception {
        price = prices.current(MODEL);
        promptTokens = tokens.promptTokens(MODEL, PROMPT);
        // The amounts below are millicredits because an output token of this model costs exactly one.
        assertThat(Pricing.cost(price, usage(7_777).toUsage()).value()).isEqualTo(7_777);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (Connection connection = TestDatabase.connect()) {
            checks = connection;
            for (int seed = 1; seed <= SEQUENCES; seed++) {
                run(seed, threads);
            }
        } finally {
            threads.shutdownNow();
        }
        LOG.infof("team pool property coverage: %s", coverage);
        assertThat(coverage).as("the decisions and paths the sequences reached").containsKeys(
                "charge OK", "charge INSUFFICIENT", "charge CAP", "charge NOT_MEMBER",
                "hold OK", "hold INSUFFICIENT", "hold CAP", "hold NOT_MEMBER",
                "settle at the hold", "settle below the hold", "settle above the hold", "settle with a shortfall",
                "settle past the cap", "settle by a removed member", "settle RESOLVED", "settle KEY_REUSED",
                "settle NOT_FOUND",
                "release OK", "release replayed", "release by a removed member", "release RESOLVED",
                "cap set", "cap raised", "cap lowered below spent", "cap removed", "member removed", "member re-added",
                "spent granted credits", "spent purchased credits",
                "group with 2 or more entries", "group committed out of submission order");
    }

    /** One sequence: a new team, its pool funded in three buckets, then {@link #GROUPS} groups. */
    private void run(long seed, ExecutorService threads) throws Exception {
        Random random = new Random(seed);
        String owner = Api.newUser("prop-owner");
        List<String> members = new ArrayList<>(List.of(owner));
        StringBuilder body = new StringBuilder("{\"name\":\"property " + seed + "\",\"members\":[");
        int others = 2 + random.nextInt(3);
        for (int i = 0; i < others; i++) {
            String member = Api.newUser("prop-member");
            members.add(member);
            Long cap = random.nextInt(3) == 0 ? null : 10_000L + random.nextInt(70_000);
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(member).append("\",\"capMillicredits\":")
                    .append(cap).append('}');
        }
        String teamId = given().auth().oauth2(Tokens.user(owner)).contentType(ContentType.JSON)
                .header("Idempotency-Key", "prop-" + UUID.randomUUID()).body(body.append("]}").toString())
                .post("/api/teams").then().statusCode(201).extract().path("teamId");
        Team team = new Team(teamId, Payer.TEAM_ACCOUNT_PREFIX + teamId, owner, Tokens.user(owner), members);

        long monthly = 60_000 + random.nextInt(90_000);
        long granted = 20_000 + random.nextInt(30_000);
        long purchased = 20_000 + random.nextInt(50_000);
        transactions.inNewTransaction(() -> {
            ledger.charge(team.pool(), Millicredits.of(1_000_000 - monthly), Mutation.system("system:property-setup"));
            ledger.grantLot(team.pool(), new GrantTerms(Millicredits.of(granted), clock.instant().plus(Duration.ofDays(20)),
                    GrantTerms.DEFAULT_PRIORITY, "admin:property", "property grant"), Mutation.system("system:property-setup"));
            return ledger.purchase(team.pool(), Millicredits.of(purchased), Mutation.system("system:property-setup"));
        });
        PoolState model = readState(team.pool());
        assertThat(List.of(model.monthly, model.granted, model.purchased, model.reserved))
                .as("the funded pool").containsExactly(monthly, granted, purchased, 0L);
        long lastEntry = lastEntryId(team.pool());

        for (int group = 0; group < GROUPS; group++) {
            List<Op> ops = new ArrayList<>();
            int size = 2 + random.nextInt(3);
            for (int i = 0; i < size; i++) {
                ops.add(nextOp(random, model, team));
            }
            List<Observed> observed = runTogether(ops, team, threads);
            List<Entry> entries = entriesAfter(team.pool(), lastEntry);
            PoolState actual = readState(team.pool());
            String where = "seed " + seed + ", group " + group;
            assertThat(invariantViolations(team.pool())).as(where + ": ledger sums, lots, held-over credits")
                    .containsExactly(0L, 0L, 0L);
            Replay replay = explain(ops, observed, entries, model, actual, where);
            replay.tags.forEach(tag -> coverage.merge(tag, 1, Integer::sum));
            if (entries.size() >= 2) {
                coverage.merge("group with 2 or more entries", 1, Integer::sum);
            }
            if (!replay.order.equals(identity(ops.size()))) {
                coverage.merge("group committed out of submission order", 1, Integer::sum);
            }
            model = actual;
            if (!entries.isEmpty()) {
                lastEntry = entries.get(entries.size() - 1).id();
            }
        }
    }

    // ---- the operations and how they run ----

    /** A team of the run: its id, pool account, owner (with a token) and members, the owner first. */
    private record Team(String id, String pool, String owner, String ownerToken, List<String> members) {
    }

    private sealed interface Op permits Charge, Hold, Settle, Release, SetCap, Remove, TopUp {
    }

    private record Charge(String member, long cost, String key) implements Op {
    }

    private record Hold(String member, long outputTokens, long amount, String key) implements Op {
    }

    private record Settle(String caller, UUID holdId, long cost) implements Op {
    }

    private record Release(String caller, UUID holdId) implements Op {
    }

    /** The owner's PUT of a member with this cap (null: none): a removed member is added again. */
    private record SetCap(String member, Long cap) implements Op {
    }

    private record Remove(String member) implements Op {
    }

    private record TopUp(long amount, String key) implements Op {
    }

    private enum Outcome {
        OK, INSUFFICIENT, CAP, NOT_MEMBER, RESOLVED, NOT_FOUND, KEY_REUSED
    }

    /** What the system answered: the outcome, and for an accepted hold its id and amount. */
    private record Observed(Outcome outcome, UUID holdId, long held) {
        static Observed of(Outcome outcome) {
            return new Observed(outcome, null, 0);
        }
    }

    private Op nextOp(Random random, PoolState s, Team team) {
        // Mostly an active member: a removed one is refused whatever they ask.
        List<String> active = team.members().stream().filter(id -> s.members.get(id).active()).toList();
        List<String> from = random.nextInt(5) == 0 ? team.members() : active;
        String member = from.get(random.nextInt(from.size()));
        MemberState m = s.members.get(member);
        int pick = random.nextInt(100);
        boolean live = s.holds.values().stream().anyMatch(h -> h.status().equals("HELD"));
        if (pick >= 48 && pick < 73 && !live && random.nextInt(4) != 0) {
            // Nothing to settle or release but resolved holds: place one more now and then.
            pick = 26 + random.nextInt(22);
        }
        if (pick < 26) {
            return new Charge(member, amount(random, s, m, 25_000), "prop-" + UUID.randomUUID());
        }
        if (pick < 48) {
            long target = amount(random, s, m, 20_000);
            long output = Math.max(1, estimator.affordableOutputTokens(price, promptTokens, Millicredits.of(target)));
            return new Hold(member, output, estimator.estimate(price, promptTokens, output).amount().value(),
                    "prop-" + UUID.randomUUID());
        }
        if (pick < 73 && !s.holds.isEmpty()) {
            Map.Entry<UUID, HoldState> hold = pickHold(random, s);
            String caller = random.nextInt(12) == 0 ? team.members().get(random.nextInt(team.members().size()))
                    : hold.getValue().member();
            if (pick >= 64) {
                return new Release(caller, hold.getKey());
            }
            long held = hold.getValue().amount();
            long cost = switch (random.nextInt(7)) {
                case 0, 1 -> held;
                case 2, 3 -> held > 1 ? 1 + (long) random.nextInt((int) Math.min(held - 1, Integer.MAX_VALUE)) : held;
                case 4, 5 -> held + 1 + random.nextInt((int) Math.min(held, 50_000));
                default -> held + Math.max(0, s.available()) + 1 + random.nextInt(5_000);
            };
            return new Settle(caller, hold.getKey(), cost);
        }
        if (pick < 85) {
            return new SetCap(member, cap(random, m));
        }
        if (pick < 93) {
            // The owner stays: a team keeps an owner. A member with live holds is removed most often.
            List<String> withHolds = s.holds.values().stream().filter(h -> h.status().equals("HELD"))
                    .map(HoldState::member).filter(id -> !id.equals(team.owner())).distinct().toList();
            if (!withHolds.isEmpty() && random.nextInt(4) != 0) {
                return new Remove(withHolds.get(random.nextInt(withHolds.size())));
            }
            return new Remove(team.members().get(1 + random.nextInt(team.members().size() - 1)));
        }
        return new TopUp(20_000 + random.nextInt(60_000), "prop-" + UUID.randomUUID());
    }

    /** An amount to spend: often exactly what the member's cap or the pool leaves, or one more. */
    private static long amount(Random random, PoolState s, MemberState m, int largest) {
        long capLeft = m.cap() == null ? -1 : m.cap() - m.spent() - m.held();
        long poolLeft = s.available();
        int pick = random.nextInt(100);
        if (pick < 18 && capLeft > 0) {
            return capLeft;
        }
        if (pick < 28 && capLeft >= 0) {
            return capLeft + 1;
        }
        if (pick < 34 && poolLeft > 0) {
            return poolLeft;
        }
        if (pick < 38 && poolLeft >= 0) {
            return poolLeft + 1;
        }
        if (pick < 60) {
            return 1 + random.nextInt(2_000);
        }
        return 1 + random.nextInt(largest);
    }

    private static Long cap(Random random, MemberState m) {
        if (!m.active()) {
            return random.nextBoolean() ? null : 10_000L + random.nextInt(60_000);
        }
        int pick = random.nextInt(100);
        if (pick < 25) {
            return 5_000L + random.nextInt(75_000);
        }
        if (pick < 50) {
            return (m.cap() == null ? m.spent() + m.held() : m.cap()) + 1 + random.nextInt(30_000);
        }
        if (pick < 75) {
            return m.spent() > 0 ? (long) random.nextInt((int) Math.min(m.spent(), Integer.MAX_VALUE)) : 0L;
        }
        return null;
    }

    /** Mostly a live hold, most often one of a removed member if there is one; now and then a resolved one. */
    private static Map.Entry<UUID, HoldState> pickHold(Random random, PoolState s) {
        List<Map.Entry<UUID, HoldState>> all = new ArrayList<>(s.holds.entrySet());
        all.sort(Map.Entry.comparingByKey());
        List<Map.Entry<UUID, HoldState>> live = all.stream().filter(h -> h.getValue().status().equals("HELD")).toList();
        List<Map.Entry<UUID, HoldState>> removed = live.stream()
                .filter(h -> !s.members.get(h.getValue().member()).active()).toList();
        if (!removed.isEmpty() && random.nextInt(4) != 0) {
            return removed.get(random.nextInt(removed.size()));
        }
        List<Map.Entry<UUID, HoldState>> from = live.isEmpty() || random.nextInt(12) == 0 ? all : live;
        return from.get(random.nextInt(from.size()));
    }

    /** Starts the group's operations at once, one thread each, and waits for all of them. */
    private List<Observed> runTogether(List<Op> ops, Team team, ExecutorService threads) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Observed>> futures = new ArrayList<>();
        for (Op op : ops) {
            futures.add(threads.submit(() -> {
                start.await();
                return execute(op, team);
            }));
        }
        start.countDown();
        List<Observed> observed = new ArrayList<>();
        for (Future<Observed> future : futures) {
            observed.add(future.get(60, TimeUnit.SECONDS));
        }
        return observed;
    }

    /** Runs one operation as production does; a refusal is an outcome, any other failure fails the test. */
    private Observed execute(Op op, Team team) {
        try {
            if (op instanceof Charge c) {
                charges.charge(new Payer(team.pool(), c.member()), new IdempotencyKey(c.key()),
                        new ChargeRequest(null, MODEL, null, null, usage(c.cost()), null), ORIGIN);
                return Observed.of(Outcome.OK);
            }
            if (op instanceof Hold h) {
                ReservationResponses.Held held = reservations.reserve(new Payer(team.pool(), h.member()),
                        new IdempotencyKey(h.key()), new ReservationRequest(MODEL,
                                List.of(new ReservationRequest.Message("user", "Hello", null)), (int) h.outputTokens()),
                        ORIGIN).value();
                return new Observed(Outcome.OK, held.reservationId(), held.heldMillicredits());
            }
            if (op instanceof Settle s) {
                reservations.settle(new Payer(team.pool(), s.caller()), s.holdId(),
                        new SettleRequest(usage(s.cost()), null, null, null), ORIGIN);
                return Observed.of(Outcome.OK);
            }
            if (op instanceof Release r) {
                reservations.release(new Payer(team.pool(), r.caller()), r.holdId(), ORIGIN);
                return Observed.of(Outcome.OK);
            }
            if (op instanceof SetCap c) {
                given().auth().oauth2(team.ownerToken()).contentType(ContentType.JSON)
                        .body("{\"capMillicredits\":" + c.cap() + "}")
                        .put("/api/teams/" + team.id() + "/members/" + c.member()).then().statusCode(200);
                return Observed.of(Outcome.OK);
            }
            if (op instanceof Remove r) {
                given().auth().oauth2(team.ownerToken()).delete("/api/teams/" + team.id() + "/members/" + r.member())
                        .then().statusCode(200);
                return Observed.of(Outcome.OK);
            }
            TopUp t = (TopUp) op;
            transactions.inNewTransaction(() -> ledger.purchase(team.pool(), Millicredits.of(t.amount()),
                    new Mutation(t.key(), "h".repeat(64), "system:property-top-up", ORIGIN.clientIp(),
                            ORIGIN.userAgent(), null, null, null)));
            return Observed.of(Outcome.OK);
        } catch (MemberCapReachedException e) {
            return Observed.of(Outcome.CAP);
        } catch (IdempotencyConflictException e) {
            return Observed.of(Outcome.KEY_REUSED);
        } catch (InsufficientCreditsException e) {
            return Observed.of(Outcome.INSUFFICIENT);
        } catch (LedgerRuleException e) {
            return switch (e.problem().type()) {
                case NOT_A_TEAM_MEMBER -> Observed.of(Outcome.NOT_MEMBER);
                case RESERVATION_ALREADY_RESOLVED -> Observed.of(Outcome.RESOLVED);
                case RESERVATION_NOT_FOUND -> Observed.of(Outcome.NOT_FOUND);
                default -> throw e;
            };
        }
    }

    private static TokenCounts usage(long outputTokens) {
        return new TokenCounts(0L, null, null, outputTokens, null);
    }

    // ---- the model ----

    /** A member of the pool: cap (null: none), spent and held this period, whether active. */
    private record MemberState(Long cap, long spent, long held, boolean active) {
    }

    /**
     * A hold on the pool: who placed it, its amount, its status, and what its settle cost (as asked,
     * the usage row's) and charged.
     */
    private record HoldState(String member, long amount, String status, long cost, long settled) {
    }

    /** A ledger entry of the pool: its operation, its reference (hold id or key), the buckets after it. */
    private record Entry(long id, String operation, String ref, long monthly, long granted, long purchased,
            long reserved) {
        boolean sameAs(Entry other) {
            return operation.equals(other.operation) && ref.equals(other.ref) && monthly == other.monthly
                    && granted == other.granted && purchased == other.purchased && reserved == other.reserved;
        }
    }

    /** The pool as the model (or the database) has it. */
    private static final class PoolState {
        long monthly;
        long granted;
        long purchased;
        long reserved;
        final Map<String, MemberState> members = new TreeMap<>();
        final Map<UUID, HoldState> holds = new TreeMap<>();

        PoolState copy() {
            PoolState copy = new PoolState();
            copy.monthly = monthly;
            copy.granted = granted;
            copy.purchased = purchased;
            copy.reserved = reserved;
            copy.members.putAll(members);
            copy.holds.putAll(holds);
            return copy;
        }

        long available() {
            return monthly + granted + purchased - reserved;
        }

        /** Spends in the burn order: monthly, then granted, then purchased. */
        void spend(long amount, List<String> tags) {
            long fromMonthly = Math.min(monthly, amount);
            long fromGranted = Math.min(granted, amount - fromMonthly);
            long fromPurchased = amount - fromMonthly - fromGranted;
            monthly -= fromMonthly;
            granted -= fromGranted;
            purchased -= fromPurchased;
            if (fromGranted > 0) {
                tags.add("spent granted credits");
            }
            if (fromPurchased > 0) {
                tags.add("spent purchased credits");
            }
        }

        Entry entry(String operation, String ref) {
            return new Entry(0, operation, ref, monthly, granted, purchased, reserved);
        }

        /** The first difference from {@code other}, or null. */
        String difference(PoolState other) {
            if (monthly != other.monthly || granted != other.granted || purchased != other.purchased
                    || reserved != other.reserved) {
                return "buckets (monthly, granted, purchased, reserved) " + List.of(monthly, granted, purchased, reserved)
                        + " vs " + List.of(other.monthly, other.granted, other.purchased, other.reserved);
            }
            if (!members.equals(other.members)) {
                return "members " + members + " vs " + other.members;
            }
            if (!holds.equals(other.holds)) {
                return "holds " + holds + " vs " + other.holds;
            }
            return null;
        }

        @Override
        public String toString() {
            return "pool " + List.of(monthly, granted, purchased, reserved) + " members " + members;
        }
    }

    /** One operation applied to the model: its outcome, why, and the entry it writes (null: none). */
    private record Step(Outcome outcome, String why, Entry entry) {
    }

    /**
     * Applies {@code op} to {@code s} as the ledger and the team service would, one at a time.
     * {@code seen} gives what only the system knows: the id of an accepted hold.
     */
    private static Step apply(PoolState s, Op op, Observed seen, List<String> tags) {
        if (op instanceof Charge c) {
            Step refused = refusedSpend(s, c.member(), c.cost(), "charge", tags);
            if (refused != null) {
                return refused;
            }
            MemberState m = s.members.get(c.member());
            s.spend(c.cost(), tags);
            s.members.put(c.member(), new MemberState(m.cap(), m.spent() + c.cost(), m.held(), m.active()));
            tags.add("charge OK");
            return new Step(Outcome.OK, "", s.entry("CHARGE", c.key()));
        }
        if (op instanceof Hold h) {
            Step refused = refusedSpend(s, h.member(), h.amount(), "hold", tags);
            if (refused != null) {
                return refused;
            }
            MemberState m = s.members.get(h.member());
            UUID id = seen.holdId() != null ? seen.holdId() : new UUID(0, s.holds.size());
            s.reserved += h.amount();
            s.members.put(h.member(), new MemberState(m.cap(), m.spent(), m.held() + h.amount(), m.active()));
            s.holds.put(id, new HoldState(h.member(), h.amount(), "HELD", 0, 0));
            tags.add("hold OK");
            return new Step(Outcome.OK, "", s.entry("HOLD", id.toString()));
        }
        if (op instanceof Settle st) {
            HoldState hold = s.holds.get(st.holdId());
            if (!hold.member().equals(st.caller())) {
                tags.add("settle NOT_FOUND");
                return new Step(Outcome.NOT_FOUND, "the hold is another member's", null);
            }
            if (hold.status().equals("SETTLED")) {
                // The settle's key is the hold's: the same request is answered again, another is refused.
                boolean same = hold.cost() == st.cost();
                tags.add(same ? "settle replayed" : "settle KEY_REUSED");
                return new Step(same ? Outcome.OK : Outcome.KEY_REUSED, "settled before at " + hold.cost(), null);
            }
            if (!hold.status().equals("HELD")) {
                tags.add("settle RESOLVED");
                return new Step(Outcome.RESOLVED, "the hold is " + hold.status(), null);
            }
            long charged = Math.min(st.cost(), s.available() + hold.amount());
            s.spend(charged, tags);
            s.reserved -= hold.amount();
            MemberState m = s.members.get(hold.member());
            MemberState after = new MemberState(m.cap(), m.spent() + charged, m.held() - hold.amount(), m.active());
            s.members.put(hold.member(), after);
            s.holds.put(st.holdId(), new HoldState(hold.member(), hold.amount(), "SETTLED", st.cost(), charged));
            tags.add(st.cost() == hold.amount() ? "settle at the hold"
                    : st.cost() < hold.amount() ? "settle below the hold" : "settle above the hold");
            if (charged < st.cost()) {
                tags.add("settle with a shortfall");
            }
            if (after.cap() != null && after.spent() + after.held() > after.cap()) {
                tags.add("settle past the cap");
            }
            if (!m.active()) {
                tags.add("settle by a removed member");
            }
            return new Step(Outcome.OK, "", s.entry("SETTLE", st.holdId().toString()));
        }
        if (op instanceof Release r) {
            HoldState hold = s.holds.get(r.holdId());
            if (!hold.member().equals(r.caller())) {
                tags.add("release NOT_FOUND");
                return new Step(Outcome.NOT_FOUND, "the hold is another member's", null);
            }
            if (hold.status().equals("RELEASED")) {
                tags.add("release replayed");
                return new Step(Outcome.OK, "released before: the release's answer again", null);
            }
            if (!hold.status().equals("HELD")) {
                tags.add("release RESOLVED");
                return new Step(Outcome.RESOLVED, "the hold is " + hold.status(), null);
            }
            s.reserved -= hold.amount();
            MemberState m = s.members.get(hold.member());
            s.members.put(hold.member(), new MemberState(m.cap(), m.spent(), m.held() - hold.amount(), m.active()));
            s.holds.put(r.holdId(), new HoldState(hold.member(), hold.amount(), "RELEASED", 0, 0));
            tags.add("release OK");
            if (!m.active()) {
                tags.add("release by a removed member");
            }
            return new Step(Outcome.OK, "", s.entry("RELEASE", r.holdId().toString()));
        }
        if (op instanceof SetCap c) {
            MemberState m = s.members.get(c.member());
            if (!m.active()) {
                tags.add("member re-added");
            } else if (c.cap() == null) {
                tags.add(m.cap() == null ? "cap set" : "cap removed");
            } else if (c.cap() < m.spent()) {
                tags.add("cap lowered below spent");
            } else {
                tags.add(m.cap() != null && c.cap() > m.cap() ? "cap raised" : "cap set");
            }
            s.members.put(c.member(), new MemberState(c.cap(), m.spent(), m.held(), true));
            return new Step(Outcome.OK, "", null);
        }
        if (op instanceof Remove r) {
            MemberState m = s.members.get(r.member());
            if (m.active()) {
                tags.add("member removed");
            }
            s.members.put(r.member(), new MemberState(m.cap(), m.spent(), m.held(), false));
            return new Step(Outcome.OK, "", null);
        }
        TopUp t = (TopUp) op;
        s.purchased += t.amount();
        return new Step(Outcome.OK, "", s.entry("PURCHASE", t.key()));
    }

    /**
     * Why a charge or hold of {@code amount} is refused, in the ledger's order: the pool's balance
     * (its statement), then the membership and the cap (the member's statement after it); null if not.
     */
    private static Step refusedSpend(PoolState s, String member, long amount, String what, List<String> tags) {
        MemberState m = s.members.get(member);
        Step refused = null;
        if (amount > s.available()) {
            refused = new Step(Outcome.INSUFFICIENT, amount + " > available " + s.available(), null);
        } else if (!m.active()) {
            refused = new Step(Outcome.NOT_MEMBER, "removed", null);
        } else if (m.cap() != null && m.spent() + m.held() + amount > m.cap()) {
            refused = new Step(Outcome.CAP, "spent " + m.spent() + " + held " + m.held() + " + " + amount + " > cap "
                    + m.cap(), null);
        }
        if (refused != null) {
            tags.add(what + " " + refused.outcome());
        }
        return refused;
    }

    /** The order that explains the group, with the model's tags along it. */
    private record Replay(List<Integer> order, List<String> tags) {
    }

    /**
     * Finds an order of the group's operations under which the model gives the system's outcomes,
     * its entries in id order, and its state after the group; fails naming every order's first
     * difference if there is none.
     */
    private static Replay explain(List<Op> ops, List<Observed> observed, List<Entry> entries, PoolState before,
            PoolState after, String where) {
        List<String> differences = new ArrayList<>();
        for (List<Integer> order : orders(ops.size())) {
            PoolState s = before.copy();
            List<String> tags = new ArrayList<>();
            int written = 0;
            String difference = null;
            for (int index : order) {
                Op op = ops.get(index);
                Observed seen = observed.get(index);
                Step step = apply(s, op, seen, tags);
                if (step.outcome() != seen.outcome()) {
                    difference = "op " + index + ": model " + step.outcome() + " (" + step.why() + "), system "
                            + seen.outcome();
                } else if (op instanceof Hold h && seen.outcome() == Outcome.OK && seen.held() != h.amount()) {
                    difference = "op " + index + ": held " + seen.held() + ", the model " + h.amount();
                } else if (step.entry() != null && (written >= entries.size() || !step.entry().sameAs(entries.get(written)))) {
                    difference = "op " + index + ": model entry " + step.entry() + ", committed "
                            + (written < entries.size() ? entries.get(written) : "none");
                }
                if (difference != null) {
                    break;
                }
                written += step.entry() == null ? 0 : 1;
            }
            if (difference == null && written != entries.size()) {
                difference = "committed entries the model has not: " + entries.subList(written, entries.size());
            }
            if (difference == null) {
                difference = s.difference(after);
            }
            if (difference == null) {
                return new Replay(order, tags);
            }
            differences.add("order " + order + ": " + difference);
        }
        StringBuilder failure = new StringBuilder(where + ": no order of the group explains what the system did\n");
        for (int i = 0; i < ops.size(); i++) {
            failure.append("  op ").append(i).append(' ').append(ops.get(i)).append(" -> ").append(observed.get(i))
                    .append('\n');
        }
        failure.append("  before: ").append(before).append("\n  holds: ").append(before.holds).append('\n');
        failure.append("  committed: ").append(entries).append('\n');
        differences.forEach(d -> failure.append("  ").append(d).append('\n'));
        throw new AssertionError(failure.toString());
    }

    private static final Map<Integer, List<List<Integer>>> ORDERS = new HashMap<>();

    /** Every order of {@code n} operations, the submission order first. */
    private static List<List<Integer>> orders(int n) {
        return ORDERS.computeIfAbsent(n, size -> {
            List<List<Integer>> all = new ArrayList<>();
            permute(new ArrayList<>(), size, all);
            return all;
        });
    }

    private static void permute(List<Integer> prefix, int n, List<List<Integer>> into) {
        if (prefix.size() == n) {
            into.add(List.copyOf(prefix));
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!prefix.contains(i)) {
                prefix.add(i);
                permute(prefix, n, into);
                prefix.remove(prefix.size() - 1);
            }
        }
    }

    private static List<Integer> identity(int n) {
        return orders(n).get(0);
    }

    // ---- the database, read on one connection ----

    private PoolState readState(String pool) throws SQLException {
        PoolState s = new PoolState();
        try (PreparedStatement ps = checks.prepareStatement("""
                SELECT monthly_millicredits, granted_millicredits, purchased_millicredits, reserved_millicredits
                  FROM credit_account WHERE user_id = ?""")) {
            ps.setString(1, pool);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the pool's account").isTrue();
                s.monthly = rs.getLong(1);
                s.granted = rs.getLong(2);
                s.purchased = rs.getLong(3);
                s.reserved = rs.getLong(4);
            }
        }
        try (PreparedStatement ps = checks.prepareStatement("""
                SELECT user_id, cap_millicredits, spent_millicredits, held_millicredits, removed_at IS NULL
                  FROM team_member WHERE account_id = ?""")) {
            ps.setString(1, pool);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    s.members.put(rs.getString(1), new MemberState(rs.getObject(2, Long.class), rs.getLong(3),
                            rs.getLong(4), rs.getBoolean(5)));
                }
            }
        }
        try (PreparedStatement ps = checks.prepareStatement("""
                SELECT h.id, h.member_id, h.amount_millicredits, h.status,
                       COALESCE((SELECT u.cost_millicredits FROM token_usage u WHERE u.reservation_id = h.id), 0),
                       COALESCE(h.settled_millicredits, 0)
                  FROM credit_reservation h WHERE h.user_id = ?""")) {
            ps.setString(1, pool);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    s.holds.put(rs.getObject(1, UUID.class), new HoldState(rs.getString(2), rs.getLong(3),
                            rs.getString(4), rs.getLong(5), rs.getLong(6)));
                }
            }
        }
        return s;
    }

    /** The pool's entries after {@code afterId}, in id order. */
    private List<Entry> entriesAfter(String pool, long afterId) throws SQLException {
        try (PreparedStatement ps = checks.prepareStatement("""
                SELECT id, operation, COALESCE(CAST(reservation_id AS text), idempotency_key, ''), monthly_after,
                       granted_after, purchased_after, reserved_after
                  FROM credit_audit_log WHERE user_id = ? AND id > ? ORDER BY id""")) {
            ps.setString(1, pool);
            ps.setLong(2, afterId);
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7)));
                }
            }
            return entries;
        }
    }

    private long lastEntryId(String pool) throws SQLException {
        try (PreparedStatement ps = checks.prepareStatement(
                "SELECT COALESCE(MAX(id), 0) FROM credit_audit_log WHERE user_id = ?")) {
            ps.setString(1, pool);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Each must be 0: the ledger's sums against the buckets, the lots against the granted bucket, held-over credits. */
    private List<Long> invariantViolations(String pool) throws SQLException {
        try (PreparedStatement ps = checks.prepareStatement("""
                SELECT CASE WHEN (a.monthly_millicredits, a.granted_millicredits, a.purchased_millicredits,
                                  a.reserved_millicredits)
                               = (SELECT COALESCE(SUM(monthly_delta), 0), COALESCE(SUM(granted_delta), 0),
                                         COALESCE(SUM(purchased_delta), 0), COALESCE(SUM(reserved_delta), 0)
                                    FROM credit_audit_log WHERE user_id = a.user_id) THEN 0 ELSE 1 END,
                       CASE WHEN a.granted_millicredits = (SELECT COALESCE(SUM(remaining), 0) FROM credit_grant_lot
                                                            WHERE user_id = a.user_id) THEN 0 ELSE 1 END,
                       a.held_over_millicredits
                  FROM credit_account a WHERE a.user_id = ?""")) {
            ps.setString(1, pool);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }
}
