import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The team-pool scenario of the fault run (bench/fault/fault-run.sh), driven by {@link FaultDriver}:
 * before the load, one of the driver's users creates a team ({@code POST /api/teams}) with
 * {@link #MEMBERS} members, {@link #CAPPED} of them capped low enough to reach their cap, and an
 * admin gives the pool a small known grant; during the load, a share of the mix ({@link #step})
 * charges, holds (settled, released or left to expire) and calls chat on the pool as its members
 * ({@code X-Tollgate-Account: team:<id>}), under the same faults and retries as the rest; and one
 * thread ({@link #choreography}) keeps the pool running low and topping it up, lowers a capped
 * member's cap below what they spent and has them charge, and removes a member while a hold of
 * theirs is live, has them charge (refused) and settle it, then adds them back.
 *
 * <p>Written to the driver's {@code --out}: {@code team.tsv} (the team: id, pool account, owner),
 * {@code team-members.tsv} (every change of a member: user, action add, cap or remove, the cap set,
 * when the request was first sent and when it was acknowledged) and {@code pool-calls.tsv} (every
 * call on the pool: kind, member, key, final status, problem type, {@code ranOut}, when first sent and
 * when finally answered).
 * Acknowledged and refused calls also go to the driver's acks and refused records, on the pool's
 * account, so that the ledger checks cover them like any other.
 */
final class TeamScenario {

    static final String ACCOUNT_HEADER = "X-Tollgate-Account";
    /** Members besides the owner. */
    static final int MEMBERS = 16;
    /** Of them, capped (the first ones), at {@link #CAP_MIN}-{@link #CAP_MIN} + {@link #CAP_SPAN} millicredits. */
    static final int CAPPED = 4;
    static final int CAP_MIN = 250;
    static final int CAP_SPAN = 350;
    /** What the choreography lowers a capped member's cap to before they charge (less than any charge of it). */
    static final long CAP_LOWERED = 20;
    /** The pool's known grant (purchased) and each top-up: small, so that it runs dry during the run. */
    static final long POOL_GRANT = 1_500;
    static final long POOL_TOP_UP = 1_500;
    /** Below this the pool is low: topped up once a call on it was refused for want of credits since the last top-up. */
    static final long POOL_LOW = 400;
    /** Share of the driver's mix that spends from the pool (percent). */
    static final int SHARE_PERCENT = 12;
    /** Pause between two acts of the choreography (ms). */
    static final int ACT_PAUSE_MS = 4_000;
    static final Pattern RAN_OUT = Pattern.compile("\"ranOut\"\\s*:\\s*\"([a-z-]+)\"");

    final FaultDriver d;
    final String teamId;
    final String account;
    final int owner;
    final int[] members;
    final Long[] caps;
    final PrintWriter memberChanges;
    final PrintWriter poolCalls;
    /** Calls on the pool refused for want of credits (402 insufficient-credits), so far. */
    final AtomicLong poolDry = new AtomicLong();
    final AtomicLong topUps = new AtomicLong();

    private TeamScenario(FaultDriver d, String teamId, int owner, int[] members, Long[] caps, PrintWriter memberChanges,
            PrintWriter poolCalls) {
        this.d = d;
        this.teamId = teamId;
        this.account = "team:" + teamId;
        this.owner = owner;
        this.members = members;
        this.caps = caps;
        this.memberChanges = memberChanges;
        this.poolCalls = poolCalls;
    }

    /** Creates the team of the run and gives its pool the known grant; throws if either is refused. */
    static TeamScenario setUp(FaultDriver d, long seed, Path out) throws IOException {
        Random random = new Random(seed * 49_979_687L);
        List<Integer> picked = new ArrayList<>();
        while (picked.size() < MEMBERS + 1) {
            int user = d.funded(random);
            if (!picked.contains(user)) {
                picked.add(user);
            }
        }
        int owner = picked.get(0);
        int[] members = new int[MEMBERS];
        Long[] caps = new Long[MEMBERS];
        StringBuilder body = new StringBuilder("{\"name\":\"fault run pool\",\"members\":[");
        for (int i = 0; i < MEMBERS; i++) {
            members[i] = picked.get(i + 1);
            caps[i] = i < CAPPED ? Long.valueOf(CAP_MIN + random.nextInt(CAP_SPAN + 1)) : null;
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(d.user(members[i])).append("\",\"role\":\"member\"")
                    .append(caps[i] == null ? "" : ",\"capMillicredits\":" + caps[i]).append('}');
        }
        body.append("]}");
        String sent = Instant.now().toString();
        FaultDriver.Outcome o = d.mutate(FaultDriver.Kind.TEAM, d.userAuth[owner], "/api/teams", "team-" + d.tag, body.toString());
        if (o.status() != 201) {
            throw new IllegalStateException("POST /api/teams answered " + o.status() + ": " + FaultDriver.oneLine(o.body()));
        }
        String acked = Instant.now().toString();
        TeamScenario team = new TeamScenario(d, FaultDriver.field(o.body(), "teamId"), owner, members, caps,
                FaultDriver.writer(out.resolve("team-members.tsv")), FaultDriver.writer(out.resolve("pool-calls.tsv")));
        try (PrintWriter w = FaultDriver.writer(out.resolve("team.tsv"))) {
            FaultDriver.tsv(w, team.teamId, team.account, d.user(owner));
        }
        FaultDriver.tsv(team.memberChanges, team.account, d.user(owner), "add", null, sent, acked);
        for (int i = 0; i < MEMBERS; i++) {
            FaultDriver.tsv(team.memberChanges, team.account, d.user(members[i]), "add", caps[i], sent, acked);
        }
        // The pool's known grant: an admin adjustment of its purchased bucket, as every account's (check 1).
        String key = "init-" + d.tag + "-" + team.account;
        FaultDriver.Outcome g = d.mutate(FaultDriver.Kind.INIT, d.adminAuth, "/api/admin/credit/adjustments", key,
                "{\"userId\":\"" + team.account + "\",\"bucket\":\"purchased\",\"amountMillicredits\":" + POOL_GRANT
                        + ",\"reason\":\"fault run: initial grant of the team pool\"}");
        if (g.status() != 201) {
            throw new IllegalStateException("the pool's grant answered " + g.status() + ": " + FaultDriver.oneLine(g.body()));
        }
        d.ack(FaultDriver.Kind.INIT, team.account, "tollgate:adjust:" + key, FaultDriver.field(g.body(), "entryId"), POOL_GRANT, "");
        LoadDriver.log("team %s: owner %s, %d members (%d capped), pool granted %d millicredits", team.teamId, d.user(owner),
                MEMBERS, CAPPED, POOL_GRANT);
        return team;
    }

    /** One operation of the mix on the pool, as a random member: a charge (35%), a hold (35%) or a chat call. */
    void step(Random random, String key) {
        int member = members[random.nextInt(MEMBERS)];
        int pick = random.nextInt(100);
        if (pick < 35) {
            charge(member, key, 1 + random.nextInt(5_000), random.nextInt(2_000));
        } else if (pick < 70) {
            String hold = hold(member, key, 1 + random.nextInt(2_000));
            int fate = random.nextInt(10);
            if (hold != null && fate <= 5) {
                settle(member, key, hold, 1 + random.nextInt(200), random.nextInt(2_500));
            } else if (hold != null && fate <= 8) {
                release(member, key, hold);
            }
        } else {
            chat(member, key, random.nextBoolean());
        }
    }

    /** A charge of gpt-4o-mini usage on the pool as {@code member}; true if acknowledged. */
    boolean charge(int member, String key, long input, long output) {
        Instant sent = Instant.now();
        FaultDriver.Outcome o = d.mutate(FaultDriver.Kind.CHARGE, d.userAuth[member], account, "/api/credit/charges", key,
                "{\"model\":\"" + FaultDriver.MODEL + "\",\"usage\":{\"uncachedInputTokens\":" + input + ",\"outputTokens\":" + output
                        + "}}", -1);
        record(FaultDriver.Kind.CHARGE, member, key, sent, o);
        if (o.acked()) {
            d.ack(FaultDriver.Kind.CHARGE, account, key, FaultDriver.field(o.body(), "chargeId"),
                    Long.parseLong(FaultDriver.field(o.body(), "costMillicredits")), FaultDriver.field(o.body(), "usageId"));
            return true;
        }
        d.finalOutcome(FaultDriver.Kind.CHARGE, account, key, o);
        return false;
    }

    /** A hold on the pool as {@code member}; its reservation id, or null if not acknowledged. */
    String hold(int member, String key, int maxOutputTokens) {
        Instant sent = Instant.now();
        FaultDriver.Outcome o = d.mutate(FaultDriver.Kind.HOLD, d.userAuth[member], account, "/api/credit/reservations", key,
                "{\"model\":\"" + FaultDriver.MODEL + "\",\"messages\":" + FaultDriver.MESSAGES + ",\"maxOutputTokens\":"
                        + maxOutputTokens + "}", -1);
        record(FaultDriver.Kind.HOLD, member, key, sent, o);
        if (!o.acked()) {
            d.finalOutcome(FaultDriver.Kind.HOLD, account, key, o);
            return null;
        }
        String reservation = FaultDriver.field(o.body(), "reservationId");
        d.ack(FaultDriver.Kind.HOLD, account, key, reservation, Long.parseLong(FaultDriver.field(o.body(), "heldMillicredits")), "");
        return reservation;
    }

    /** Settles the member's hold on the pool; true if acknowledged. */
    boolean settle(int member, String key, String reservation, long input, long output) {
        String settleKey = "tollgate:settle:" + reservation;
        Instant sent = Instant.now();
        FaultDriver.Outcome s = d.mutate(FaultDriver.Kind.SETTLE, d.userAuth[member], account,
                "/api/credit/reservations/" + reservation + "/settle", key + "-s",
                "{\"usage\":{\"uncachedInputTokens\":" + input + ",\"outputTokens\":" + output + "}}", -1);
        record(FaultDriver.Kind.SETTLE, member, key + "-s", sent, s);
        if (s.acked()) {
            d.ack(FaultDriver.Kind.SETTLE, account, settleKey, reservation, Long.parseLong(FaultDriver.field(s.body(), "chargedMillicredits")), "");
            return true;
        }
        d.finalOutcome(FaultDriver.Kind.SETTLE, account, settleKey, s);
        return false;
    }

    void release(int member, String key, String reservation) {
        String releaseKey = "tollgate:release:" + reservation;
        Instant sent = Instant.now();
        FaultDriver.Outcome r = d.mutate(FaultDriver.Kind.RELEASE, d.userAuth[member], account,
                "/api/credit/reservations/" + reservation + "/release", key + "-r", null, -1);
        record(FaultDriver.Kind.RELEASE, member, key + "-r", sent, r);
        if (r.acked()) {
            d.ack(FaultDriver.Kind.RELEASE, account, releaseKey, reservation, Long.parseLong(FaultDriver.field(r.body(), "releasedMillicredits")), "");
        } else {
            d.finalOutcome(FaultDriver.Kind.RELEASE, account, releaseKey, r);
        }
    }

    /** A plain metered chat call on the pool, tagged for the fake like every call (check 11 reconciles it). */
    void chat(int member, String key, boolean stream) {
        String body = "{\"model\":\"" + FaultDriver.MODEL + "\",\"messages\":[" + FaultDriver.SYSTEM_MESSAGE
                + ",{\"role\":\"user\",\"content\":" + FaultDriver.jsonString(FaultDriver.USER_TEXT + " [[fake:tag=" + key + "]]")
                + "}],\"max_tokens\":32" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : "}");
        Instant sent = Instant.now();
        FaultDriver.Outcome o = d.mutate(FaultDriver.Kind.CHAT, d.userAuth[member], account, "/v1/chat/completions", key, body, -1);
        record(FaultDriver.Kind.CHAT, member, key, sent, o);
        d.recordChat(account, key, (stream ? "stream:" : "once:") + "pool", o, -1);
    }

    /** A call on the pool, as its member saw it in the end (pool-calls.tsv). */
    void record(FaultDriver.Kind kind, int member, String key, Instant sent, FaultDriver.Outcome o) {
        String type = FaultDriver.problemType(o.body());
        Matcher ranOut = o.body() == null ? null : RAN_OUT.matcher(o.body());
        String ran = ranOut != null && ranOut.find() ? ranOut.group(1) : null;
        if (o.status() == 402 && "insufficient-credits".equals(type)) {
            poolDry.incrementAndGet();
        }
        FaultDriver.tsv(poolCalls, kind, account, d.user(member), key, o.status(), type, ran, sent.toString(), Instant.now().toString());
    }

    /**
     * Until the load's time is up, in turn: keeps the pool low (tops it up once it is below
     * {@link #POOL_LOW} and a call was refused for want of credits since the last top-up); removes a
     * member while a hold of theirs is live, has them charge (refused: not a member) and settle the
     * hold (allowed), then adds them back; lowers a capped member's cap below what they spent, has
     * them charge (refused: cap reached, while the pool has credits), then sets a new cap.
     */
    void choreography(long seed, long endNanos) {
        Random random = new Random(seed * 86_028_121L);
        for (int act = 0; System.nanoTime() < endNanos; act++) {
            FaultDriver.pause(ACT_PAUSE_MS);
            topUpIfDry(act);
            if (System.nanoTime() >= endNanos) {
                return;
            }
            String key = d.tag + "-team" + act;
            if (act % 2 == 0) {
                int member = members[CAPPED + (act / 2) % (MEMBERS - CAPPED)];
                String hold = hold(member, key + "-hold", 200);
                if (hold == null) {
                    continue;
                }
                if (!change("DELETE", member, "remove", null, null)) {
                    continue;
                }
                charge(member, key + "-removed", 10, 10);
                settle(member, key + "-hold", hold, 20, 150);
                change("PUT", member, "add", "{\"role\":\"member\"}", null);
            } else {
                int i = (act / 2) % CAPPED;
                int member = members[i];
                if (!change("PUT", member, "cap", "{\"role\":\"member\",\"capMillicredits\":" + CAP_LOWERED + "}", CAP_LOWERED)) {
                    continue;
                }
                charge(member, key + "-capped", 100, 1_000);
                caps[i] = (long) (CAP_MIN + random.nextInt(CAP_SPAN + 1));
                change("PUT", member, "cap", "{\"role\":\"member\",\"capMillicredits\":" + caps[i] + "}", caps[i]);
            }
        }
    }

    /** Tops the pool up by {@link #POOL_TOP_UP} (an admin adjustment) if it is low and ran dry since the last top-up. */
    void topUpIfDry(int act) {
        long available = available();
        long dry = poolDry.get();
        if (available < 0 || available >= POOL_LOW || dry <= topUps.get()) {
            return;
        }
        topUps.set(dry);
        String key = d.tag + "-team-topup" + act;
        FaultDriver.Outcome o = d.mutate(FaultDriver.Kind.ADJUST, d.adminAuth, "/api/admin/credit/adjustments", key,
                "{\"userId\":\"" + account + "\",\"bucket\":\"purchased\",\"amountMillicredits\":" + POOL_TOP_UP
                        + ",\"reason\":\"fault run: top-up of the team pool\"}");
        if (o.acked()) {
            d.ack(FaultDriver.Kind.ADJUST, account, "tollgate:adjust:" + key, FaultDriver.field(o.body(), "entryId"), POOL_TOP_UP, "purchased");
        } else {
            d.finalOutcome(FaultDriver.Kind.ADJUST, account, "tollgate:adjust:" + key, o);
        }
    }

    /** The pool's available balance as its owner reads it ({@code GET /api/teams/{id}/balance}); -1 if not answered. */
    long available() {
        try {
            HttpResponse<String> response = d.http.send(HttpRequest.newBuilder(URI.create(d.url + "/api/teams/" + teamId + "/balance"))
                    .header("Authorization", d.userAuth[owner]).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            d.answered.incrementAndGet();
            d.countUp(FaultDriver.Kind.TEAM + " balance " + response.statusCode());
            if (response.statusCode() == 200) {
                return Long.parseLong(FaultDriver.field(response.body(), "availableMillicredits"));
            }
            if (response.statusCode() >= 500) {
                d.countUp("5xx");
                FaultDriver.line(d.fivexx, FaultDriver.Kind.TEAM, Instant.now().toString(), "/api/teams/{id}/balance", "-",
                        Integer.toString(response.statusCode()), FaultDriver.problemType(response.body()),
                        FaultDriver.oneLine(response.body()));
            }
        } catch (IOException e) {
            d.countUp("io");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /**
     * A change of a member by the owner ({@code PUT} with {@code body}, or {@code DELETE}): sets a
     * state, so it is retried as it is on I/O errors, 429, 500 and 503 until answered 2xx, for at most
     * the driver's retry time. Written to team-members.tsv with when it was first sent and when
     * acknowledged (never, if it was not: the scenario then skips the rest of its act).
     */
    boolean change(String method, int member, String action, String body, Long cap) {
        String path = "/api/teams/" + teamId + "/members/" + d.user(member);
        String sent = Instant.now().toString();
        long giveUp = System.nanoTime() + d.retrySeconds * 1_000_000_000L;
        for (long pauseMs = 100;; pauseMs = Math.min(2_000, pauseMs * 2)) {
            int status;
            String answer;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(d.url + path)).header("Authorization", d.userAuth[owner])
                        .timeout(Duration.ofSeconds(30));
                if (body == null) {
                    request.DELETE();
                } else {
                    request.header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body));
                }
                HttpResponse<String> response = d.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                answer = response.body();
                d.answered.incrementAndGet();
                d.countUp(FaultDriver.Kind.TEAM + " " + method + " " + status);
            } catch (IOException e) {
                status = -1;
                answer = e.getClass().getSimpleName();
                d.countUp("io");
                d.countUp(FaultDriver.Kind.TEAM + " io");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (status >= 500) {
                d.countUp("5xx");
                FaultDriver.line(d.fivexx, FaultDriver.Kind.TEAM, Instant.now().toString(), "/api/teams/{id}/members/{user}", "-",
                        Integer.toString(status), FaultDriver.problemType(answer), FaultDriver.oneLine(answer));
            }
            if (status >= 200 && status < 300) {
                FaultDriver.tsv(memberChanges, account, d.user(member), action, cap, sent, Instant.now().toString());
                return true;
            }
            boolean retry = status == -1 || status == 429 || status == 500 || status == 503;
            if (!retry || System.nanoTime() > giveUp) {
                // Not acknowledged: it may have taken effect all the same (acknowledged: never, for the checks).
                FaultDriver.tsv(memberChanges, account, d.user(member), action, cap, sent, null);
                LoadDriver.log("team: %s %s answered %d: %s", method, path, status, FaultDriver.oneLine(answer));
                return false;
            }
            d.countUp("retry");
            FaultDriver.pause(pauseMs);
        }
    }

    void close() {
        for (PrintWriter w : List.of(memberChanges, poolCalls)) {
            synchronized (w) {
                w.close();
            }
        }
    }
}
