import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

/**
 * Client side of the fault run (bench/fault/fault-run.sh): a bounded, seeded, mixed load on the
 * packaged app from many concurrent clients, while the script injects faults. Compiled together
 * with {@code bench/LoadDriver.java}, whose token signer and option parsing it uses:
 *
 * <pre>
 *   javac -d classes bench/LoadDriver.java bench/fault/FaultDriver.java
 *   java -cp classes FaultDriver --url http://127.0.0.1:18400 --key private.der --out dir ...
 * </pre>
 *
 * <p>First every account gets a known grant (an admin adjustment of its purchased bucket, which
 * also opens it with the plan's allowance). Then each client loops until the time is up, picking
 * with its own seeded {@link Random}: balance reads, pre-checks, charges, holds that are settled,
 * released or left to expire, admin adjustments (corrections and refunds of a charged call: there
 * is no refund endpoint, an operator refunds by adjustment), admin grants of lots that expire
 * within seconds to two minutes ({@link #grant}), purchases of credit packs, whose
 * Stripe webhooks the driver then plays ({@link #stripePlan}: signed events delivered at least once
 * each, some twice or out of order), and metered chat calls, streamed or
 * not, in the request shapes of {@link #chatShape}, each tagged for the fake upstream with its key
 * ({@code [[fake:tag=KEY]]}) so that what the fake billed for it can be found; and a share of the
 * steps spends from a team pool as its members ({@link TeamScenario}). Every mutation
 * carries an {@code Idempotency-Key} and is retried with the same key and body on I/O errors,
 * timeouts, 429, 500 and 503, for at most {@code --retry-seconds}; a Stripe event is delivered
 * until it is answered 2xx, for as long.
 *
 * <p>What the checks need is written to {@code --out}: {@code acks.tsv} (every mutation answered
 * 2xx: kind, user, ledger key, reference, amount; and a chat call answered 502/504 with a charge),
 * {@code refused.tsv} (mutations finally refused with 402/409/422, or a chat call's 502/504 without a
 * charge — nothing may have changed), {@code unknown.tsv} (given up, or a chat call whose retry met
 * its own key: outcome unknown, not checked), {@code fivexx.tsv} (every 5xx answer seen, with its
 * problem type), {@code chats.tsv} (every chat call: user, key, shape, what the client saw),
 * {@code purchases.tsv} (every purchase: what the app answered, and what Stripe said of its payment
 * in the end), {@code stripe-events.tsv} (every delivery of a Stripe event and its final answer) and
 * {@code summary.txt}. Tokens and the webhook signing secret ({@code --stripe-secret-file}; without
 * it, no purchases) are never written anywhere.
 */
public class FaultDriver {

    static final String MODEL = "gpt-4o-mini";
    /** The reasoning model of the chat mix (seeded with a price; the app's upstream serves it). */
    static final String REASONING_MODEL = "o4-mini";
    static final String SYSTEM_MESSAGE = "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"}";
    static final String USER_TEXT = "Say hello in five words.";
    static final String MESSAGES = "[" + SYSTEM_MESSAGE + ",{\"role\":\"user\",\"content\":\"" + USER_TEXT + "\"}]";
    /** Seeded sizes of the inline PNGs of the image shape (px). */
    static final int IMAGES = 6;
    static final int IMAGE_MAX_SIDE_PX = 1200;
    /** A stream the client hangs up on: long enough (words x delay) that the hang-up comes mid-stream. */
    static final int HANG_UP_WORDS = 20;
    static final int HANG_UP_CHUNK_DELAY_MS = 100;
    /** A stream whose [DONE] the fake holds back after the final chunk: the window between the answer and the settle. */
    static final int FINAL_HOLD_MS = 1_500;
    /**
     * The answer of a client that stops reading: larger than the buffers between the app and that
     * client (on the loopback the app's socket may buffer a few MB), so that the app's writes block.
     */
    static final int STALLED_READER_WORDS = 30_000;
    /** Its receive buffer (bytes): small, so that the app's writes block soon. */
    static final int STALLED_READER_RECEIVE_BUFFER = 1_024;
    /**
     * The answer of an opening overrun: about 1,300 millicredits of o4-mini output, more than an
     * account that runs dry ever has (at most 300 + the allowance + a top-up), so the settle falls short.
     */
    static final int OPENING_OVERRUN_WORDS = 3_000;
    /** A purchased grant above this is a funded account; at most this, one that runs dry. */
    static final long DRY_GRANT_MAX = 300;
    static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"https://tollgate\\.dev/problems/([a-z0-9-]+)\"");

    enum Kind { INIT, BALANCE, PRECHECK, CHARGE, HOLD, SETTLE, RELEASE, ADJUST, REFUND, GRANT, CHAT, PURCHASE, WEBHOOK, TEAM }

    /**
     * A grant lot of the mix lives this long (ms): most expire within a minute, a quarter within two,
     * so that lots expire all through the load, some while holds and calls on their account are live.
     */
    static final int GRANT_SHORT_LIFETIME_MIN_MS = 3_000;
    static final int GRANT_SHORT_LIFETIME_SPAN_MS = 57_000;
    static final int GRANT_LONG_LIFETIME_MIN_MS = 60_000;
    static final int GRANT_LONG_LIFETIME_SPAN_MS = 60_000;
    /**
     * The opening grant of an account drained first (see {@link #openingGrant}): its lot expires this
     * soon after it is granted, while a hold placed on it right after is still live.
     */
    static final int OPENING_GRANT_LIFETIME_MS = 6_000;
    static final long OPENING_GRANT_MILLICREDITS = 1_000;
    /** What the drain before an opening grant leaves available (millicredits): less than the hold needs. */
    static final long OPENING_DRAIN_MARGIN = 20;
    /** The output budget of the hold placed on an opening grant: about 120 millicredits of gpt-4o-mini output. */
    static final int OPENING_HOLD_OUTPUT_TOKENS = 2_000;

    /**
     * gpt-4o-mini's output price as seeded (V2__seed_model_pricing.sql: 60 credits per 1M tokens), in
     * millicredits per 1M tokens: the buyer who spends a pack before its refund charges that much output.
     */
    static final long SPEND_OUTPUT_MILLICREDITS_PER_MILLION = 60_000;
    /** Purchases started with each burst (just before an outage or a kill), their events spread over the fault. */
    static final int PURCHASE_BURST = 8;
    /** What a buyer who spends a pack leaves of it (millicredits): a little, below any take-back. */
    static final long SPEND_MARGIN = 50;
    /** Stripe's API version as stripe-java's (the app's) {@code com.stripe.Stripe.API_VERSION}, if that is on the class path. */
    static final String STRIPE_API_VERSION_FALLBACK = "2026-07-29.dahlia";

    final String url;
    final HttpClient http;
    final String[] userAuth;
    final String adminAuth;
    final long firstUser;
    final int retrySeconds;
    final boolean chat;
    final String tag;
    final PrintWriter acks;
    final PrintWriter refused;
    final PrintWriter unknown;
    final PrintWriter fivexx;
    final PrintWriter chats;
    /** Every purchase the driver made, and what "Stripe" (the driver) said of its payment in the end. */
    final PrintWriter purchases;
    /** Every delivery of a Stripe event: purchase, order, copy, event id and type, attempts, final status. */
    final PrintWriter stripeEvents;
    /** The webhook signing secret the driver signs Stripe's events with; null: no purchases in the mix. */
    final byte[] stripeSecret;
    final String stripeApiVersion;
    /** The packs on sale (GET /api/credit/packs, read at the start). */
    final List<Pack> packs = new ArrayList<>();
    final AtomicLong stripeEventIds = new AtomicLong();
    /** The known grant of every account (its purchased bucket at the start). */
    final long[] grants;
    /** Indexes of the accounts that run dry (small grants), but those reserved for the opening grants. */
    final List<Integer> dryAccounts = new ArrayList<>();
    /**
     * Accounts that run dry kept for the opening grants ({@link #openingGrant}) and out of the mix, so
     * that nothing else pays for their holds while their lots expire.
     */
    final List<Integer> openingGrantAccounts = new ArrayList<>();
    /** How long a client that stops reading a stream waits before it closes the connection (ms). */
    final long stalledReadMs;
    /** Calls of each recovery shape made at the start of the load, whatever the seed picks (see {@link #opening}). */
    final int openingCalls;
    /** A file the script writes (a number of calls) to start a burst of slow calls right now; null: none. */
    final Path burstFile;
    /** data: URLs of small PNGs, made once from the seed. */
    final List<String> images = new ArrayList<>();
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    final AtomicLong answered = new AtomicLong();
    /** The team-pool scenario ({@code --team}, on by default); null: none. */
    TeamScenario team;

    FaultDriver(Map<String, String> opts, Path out) throws Exception {
        url = LoadDriver.req(opts, "url");
        LoadDriver.Signer signer = new LoadDriver.Signer(opts);
        firstUser = Long.parseLong(LoadDriver.req(opts, "first-user"));
        int accounts = Integer.parseInt(opts.getOrDefault("accounts", "200"));
        retrySeconds = Integer.parseInt(opts.getOrDefault("retry-seconds", "120"));
        chat = Boolean.parseBoolean(opts.getOrDefault("chat", "true"));
        stalledReadMs = Long.parseLong(opts.getOrDefault("stalled-read-ms", "4000"));
        openingCalls = Integer.parseInt(opts.getOrDefault("opening-calls", "2"));
        burstFile = opts.containsKey("burst-file") ? Path.of(opts.get("burst-file")) : null;
        grants = new long[accounts];
        tag = opts.getOrDefault("tag", Long.toString(System.currentTimeMillis(), 36));
        http = LoadDriver.newHttpClient();
        userAuth = LoadDriver.signTokens(signer, firstUser, accounts);
        adminAuth = "Bearer " + signer.token(opts.getOrDefault("admin", "fault-admin"), "admin");
        acks = writer(out.resolve("acks.tsv"));
        refused = writer(out.resolve("refused.tsv"));
        unknown = writer(out.resolve("unknown.tsv"));
        fivexx = writer(out.resolve("fivexx.tsv"));
        chats = writer(out.resolve("chats.tsv"));
        purchases = writer(out.resolve("purchases.tsv"));
        stripeEvents = writer(out.resolve("stripe-events.tsv"));
        String secretFile = opts.get("stripe-secret-file");
        stripeSecret = secretFile == null ? null : Files.readString(Path.of(secretFile)).trim().getBytes(StandardCharsets.UTF_8);
        stripeApiVersion = stripeApiVersion();
        Random sizes = new Random(Long.parseLong(opts.getOrDefault("seed", "1")));
        for (int i = 0; i < IMAGES; i++) {
            images.add(png(16 + sizes.nextInt(IMAGE_MAX_SIDE_PX), 16 + sizes.nextInt(IMAGE_MAX_SIDE_PX)));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = LoadDriver.options(args);
        Path out = Path.of(LoadDriver.req(opts, "out"));
        Files.createDirectories(out);
        FaultDriver driver = new FaultDriver(opts, out);
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "60"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "16"));
        if (driver.stripeSecret != null) {
            driver.readPacks();
        }
        driver.grants(seed, Integer.parseInt(opts.getOrDefault("setup-clients", "8")));
        if (Boolean.parseBoolean(opts.getOrDefault("team", "true"))) {
            driver.team = TeamScenario.setUp(driver, seed, out);
        }
        String ready = opts.get("ready-file");
        if (ready != null) {
            Files.writeString(Path.of(ready), "load\n"); // the script starts its faults from here
        }
        driver.load(seed, clients, seconds);
        driver.close(out.resolve("summary.txt"));
    }

    // ---------------------------------------------------------------- phases

    /** The known grant of every account: purchased += 1..300 (every fifth account: it runs dry) or 20,000..219,999. */
    void grants(long seed, int parallel) throws InterruptedException {
        long t0 = System.nanoTime();
        Random random = new Random(seed);
        long[] amounts = grants;
        for (int i = 0; i < amounts.length; i++) {
            amounts[i] = random.nextInt(5) == 0 ? 1 + random.nextInt(300) : 20_000 + random.nextInt(200_000);
            if (amounts[i] <= DRY_GRANT_MAX) {
                dryAccounts.add(i);
            }
        }
        AtomicLong next = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> failed = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < parallel; t++) {
            threads.add(daemon(() -> {
                for (int i; (i = (int) next.getAndIncrement()) < amounts.length;) {
                    String user = user(i);
                    Outcome o = mutate(Kind.INIT, adminAuth, "/api/admin/credit/adjustments", "init-" + tag + "-" + user,
                            "{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":" + amounts[i]
                                    + ",\"reason\":\"fault run: initial grant\"}");
                    if (o.status != 201) {
                        failed.compareAndSet(null, "the initial grant of " + user + " answered " + o.status + ": " + oneLine(o.body));
                        return;
                    }
                    ack(Kind.INIT, user, "tollgate:adjust:init-" + tag + "-" + user, field(o.body, "entryId"), amounts[i], "");
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get() != null) {
            throw new IllegalStateException(failed.get());
        }
        LoadDriver.log("granted %d accounts in %.1f s", amounts.length, (System.nanoTime() - t0) / 1e9);
    }

    void load(long seed, int clients, int seconds) throws InterruptedException {
        // Before the clients start: from here on the mix and the bursts see only the other accounts.
        List<Integer> shuffled = new ArrayList<>(dryAccounts);
        java.util.Collections.shuffle(shuffled, new Random(seed * 32_452_843L));
        for (int i = 0; i < openingCalls && i < shuffled.size() - 1; i++) {
            openingGrantAccounts.add(shuffled.get(i));
        }
        dryAccounts.removeAll(openingGrantAccounts);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        loadEndNanos = end;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(daemon(() -> {
                Random random = new Random(seed * 1_000_003L + client);
                for (long seq = 0; System.nanoTime() < end; seq++) {
                    step(random, "c" + client + "-" + seq);
                }
            }));
        }
        Thread bursts = burstFile == null ? null : daemon(() -> watchBursts(seed));
        if (team != null) {
            Thread choreography = daemon(() -> team.choreography(seed, end));
            synchronized (burstThreads) {
                burstThreads.add(choreography);
            }
        }
        opening(seed);
        Thread progress = daemon(() -> {
            long before = 0;
            for (long s = 5;; s += 5) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = answered.get();
                LoadDriver.log("t=%3ds %5.0f answers/s  5xx=%d io=%d retries=%d", s, (now - before) / 5.0, count("5xx"),
                        count("io"), count("retry"));
                before = now;
            }
        });
        for (Thread t : threads) {
            t.join();
        }
        progress.interrupt();
        if (bursts != null) {
            bursts.interrupt();
            bursts.join();
        }
        List<Thread> burstCalls;
        synchronized (burstThreads) {
            burstCalls = new ArrayList<>(burstThreads);
        }
        for (Thread t : burstCalls) {
            t.join();
        }
    }

    final List<Thread> burstThreads = new ArrayList<>();
    /** When the load's time is up (System.nanoTime()): a purchase of a burst then delivers the rest of its story without gaps. */
    volatile long loadEndNanos = Long.MAX_VALUE;

    /**
     * Waits for the script's burst file ({@code COUNT KIND}); for each, starts COUNT calls at once,
     * for the fault that follows. KIND {@code outage} (the database goes away while they stream):
     * slow calls, half of them on accounts that run dry, given a small top-up first and answered by
     * a provider that ignores their budget (their cost is above their hold and above what the
     * account has), half slow plain calls on funded accounts. KIND {@code final} (the app is killed):
     * calls on funded accounts whose [DONE] the fake holds back after the final chunk. With either,
     * {@link #PURCHASE_BURST} purchases whose Stripe events come 0.3-3 s apart, across the fault.
     */
    void watchBursts(long seed) {
        Random random = new Random(seed * 7_919L);
        for (int burst = 0; !Thread.currentThread().isInterrupted(); burst++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            if (!Files.exists(burstFile)) {
                burst--;
                continue;
            }
            int calls;
            boolean finalHold;
            try {
                String[] order = Files.readString(burstFile).trim().split("\\s+");
                calls = Integer.parseInt(order[0]);
                finalHold = order.length > 1 && order[1].equals("final");
                Files.delete(burstFile);
            } catch (IOException | NumberFormatException e) {
                LoadDriver.log("burst file unreadable: %s", e);
                return;
            }
            LoadDriver.log("burst %d: %d %s calls", burst, calls, finalHold ? "final-hold" : "slow");
            for (int i = 0; i < calls; i++) {
                boolean overrun = !finalHold && i % 2 == 0 && !dryAccounts.isEmpty();
                int user = overrun ? dryAccounts.get(random.nextInt(dryAccounts.size())) : funded(random);
                String key = tag + "-b" + burst + "-" + i;
                long topUp = 30 + random.nextInt(40);
                boolean stream = i % 3 != 2;
                Thread t = daemon(() -> {
                    if (finalHold) {
                        finalHoldCall(user, key, stream);
                    } else {
                        burstCall(user, key, overrun, topUp);
                    }
                });
                synchronized (burstThreads) {
                    burstThreads.add(t);
                }
            }
            // Purchases whose Stripe events straddle the fault: bought now, their events delivered
            // 0.3-3 s apart, so that the outage or the kill meets some of them.
            Random stories = new Random(random.nextLong());
            for (int i = 0; i < PURCHASE_BURST && !packs.isEmpty(); i++) {
                StripePlan picked = stripePlan(stories);
                StripePlan plan = new StripePlan("burst:" + picked.label(), picked.pack(), picked.spend(), picked.story());
                int user = plan.spend() && !dryAccounts.isEmpty() ? dryAccounts.get(stories.nextInt(dryAccounts.size()))
                        : funded(stories);
                Random gaps = new Random(stories.nextLong());
                String key = tag + "-b" + burst + "-p" + i;
                Thread t = daemon(() -> buyAndPlayStripe(user, key, plan, gaps));
                synchronized (burstThreads) {
                    burstThreads.add(t);
                }
            }
        }
    }

    /** A call whose [DONE] the fake holds back 4 s after the final chunk (a kill -9 of the app comes meanwhile). */
    void finalHoldCall(int user, String key, boolean stream) {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[" + SYSTEM_MESSAGE + ",{\"role\":\"user\",\"content\":"
                + jsonString(USER_TEXT + " [[fake:tag=" + key + "]][[fake:words=12]][[fake:final-hold-ms=4000]]") + "}],\"max_tokens\":32"
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : "}");
        recordChat(user, key, (stream ? "stream:" : "once:") + "burst-final-hold",
                mutate(Kind.CHAT, userAuth[user], "/v1/chat/completions", key, body), -1);
    }

    /**
     * At the start of the load, {@link #openingCalls} calls of each shape whose recovery path the
     * mix takes only now and then (a few percent of the chat calls): a provider that never answers
     * (the hold charged, outcome unknown), one that overruns the budget on an account that runs dry
     * (a shortfall), a client that stops reading a long stream; and as many lots that expire while a
     * hold on them is live ({@link #openingGrant}). So that even a short run takes each.
     */
    void opening(long seed) {
        Random random = new Random(seed * 104_729L);
        if (!packs.isEmpty()) {
            Random buyers = new Random(seed * 15_485_863L);
            Thread t = daemon(() -> {
                List<StripePlan> plans = openingPurchases();
                for (int i = 0; i < plans.size(); i++) {
                    StripePlan plan = plans.get(i);
                    int user = plan.spend() && !dryAccounts.isEmpty() ? dryAccounts.get(buyers.nextInt(dryAccounts.size()))
                            : funded(buyers);
                    buyAndPlayStripe(user, tag + "-op" + i, plan, null);
                }
            });
            synchronized (burstThreads) {
                burstThreads.add(t);
            }
        }
        // Lots that expire while a hold on them is live, on accounts that run dry and that nothing else
        // touches: one settled after the expiry, one released; whatever the seed picks, so that even a
        // short run takes the path.
        for (int i = 0; i < openingGrantAccounts.size(); i++) {
            int user = openingGrantAccounts.get(i);
            String key = tag + "-og" + i;
            boolean settle = i % 2 == 0;
            Thread t = daemon(() -> openingGrant(user, key, settle));
            synchronized (burstThreads) {
                burstThreads.add(t);
            }
        }
        for (int i = 0; i < openingCalls; i++) {
            String n = tag + "-o" + i;
            int unanswered = funded(random);
            int reader = funded(random);
            int overrun = dryAccounts.isEmpty() ? funded(random) : dryAccounts.get(random.nextInt(dryAccounts.size()));
            long topUp = 30 + random.nextInt(40);
            List<Thread> started = List.of(
                    daemon(() -> recordChat(unanswered, n + "-unanswered", "once:opening-unanswered",
                            mutate(Kind.CHAT, userAuth[unanswered], "/v1/chat/completions", n + "-unanswered",
                                    "{\"model\":\"" + MODEL + "\",\"messages\":[" + SYSTEM_MESSAGE + ",{\"role\":\"user\",\"content\":"
                                            + jsonString(USER_TEXT + " [[fake:tag=" + n + "-unanswered]][[fake:stall]]")
                                            + "}],\"max_tokens\":32}"), -1)),
                    daemon(() -> {
                        topUp(overrun, n + "-overrun", topUp);
                        recordChat(overrun, n + "-overrun", "stream:opening-overrun",
                                mutate(Kind.CHAT, userAuth[overrun], "/v1/chat/completions", n + "-overrun",
                                        "{\"model\":\"" + REASONING_MODEL + "\",\"messages\":[" + SYSTEM_MESSAGE
                                                + ",{\"role\":\"user\",\"content\":" + jsonString(USER_TEXT + " [[fake:tag=" + n
                                                        + "-overrun]][[fake:ignore-max-tokens]][[fake:words=" + OPENING_OVERRUN_WORDS + "]]")
                                                + "}],\"max_completion_tokens\":16,\"stream\":true,"
                                                + "\"stream_options\":{\"include_usage\":true}}"), -1);
                    }),
                    daemon(() -> recordChat(reader, n + "-reader", "stream:opening-stopped-reading",
                            stalledRead(userAuth[reader], n + "-reader", "{\"model\":\"" + MODEL + "\",\"messages\":["
                                    + SYSTEM_MESSAGE + ",{\"role\":\"user\",\"content\":"
                                    + jsonString(USER_TEXT + " [[fake:tag=" + n + "-reader]][[fake:words=" + STALLED_READER_WORDS + "]]")
                                    + "}],\"max_tokens\":" + (STALLED_READER_WORDS + 1_000)
                                    + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"), -2)));
            synchronized (burstThreads) {
                burstThreads.addAll(started);
            }
        }
    }

    // ---------------------------------------------------------------- purchases, and the driver playing Stripe

    /** A credit pack on sale: id, credits (millicredits), price in minor units, currency. */
    record Pack(String id, long millicredits, long amount, String currency) {
    }

    /** Reads the packs on sale (GET /api/credit/packs); purchases must be configured in the app. */
    void readPacks() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/credit/packs"))
                .header("Authorization", adminAuth).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /api/credit/packs answered " + response.statusCode() + ": " + oneLine(response.body()));
        }
        Matcher m = Pattern.compile("\\{[^{}]*\\}").matcher(response.body());
        while (m.find()) {
            String pack = m.group();
            packs.add(new Pack(field(pack, "packId"), Long.parseLong(field(pack, "creditsMillicredits")),
                    Long.parseLong(field(pack, "priceAmount")), field(pack, "priceCurrency")));
        }
        if (packs.isEmpty() || packs.stream().anyMatch(p -> p.amount() < 2)) {
            throw new IllegalStateException("no packs of at least 2 minor units on sale: " + oneLine(response.body()));
        }
        LoadDriver.log("packs on sale: %s", packs);
    }

    /** What Stripe tells of a payment, in its events (and SPEND: the buyer spends the pack meanwhile). */
    enum Fact { COMPLETED, EXPIRED, REFUNDED, DISPUTE_CREATED, DISPUTE_CLOSED, SPEND }

    /**
     * One event of a purchase's story: the payment's amount and currency (paid, or of the charge),
     * the amount refunded so far (Stripe's {@code amount_refunded} is cumulative), the dispute's
     * status; delivered once ({@code copies} 1), twice in a row (2) or twice at once (3); or, with
     * {@code repeatOf} >= 0, the event at that index of the story again, late.
     */
    record Delivery(Fact fact, long amount, String currency, long refunded, String disputeStatus, int copies, int repeatOf) {

        Delivery copies(int n) {
            return new Delivery(fact, amount, currency, refunded, disputeStatus, n, repeatOf);
        }
    }

    /** A purchase's story as Stripe will tell it, and whether its buyer (an account that runs dry) spends the pack first. */
    record StripePlan(String label, Pack pack, boolean spend, List<Delivery> story) {

        Delivery completed() {
            return story.stream().filter(d -> d.fact() == Fact.COMPLETED).findFirst().orElse(null);
        }

        long refunded() {
            return story.stream().filter(d -> d.fact() == Fact.REFUNDED).mapToLong(Delivery::refunded).max().orElse(0);
        }

        /** The dispute's final status: the closing one's, else open ({@code needs_response}); null: none. */
        String dispute() {
            for (Delivery d : story) {
                if (d.fact() == Fact.DISPUTE_CLOSED) {
                    return d.disputeStatus();
                }
            }
            return story.stream().anyMatch(d -> d.fact() == Fact.DISPUTE_CREATED) ? "needs_response" : null;
        }

        boolean expired() {
            return story.stream().anyMatch(d -> d.fact() == Fact.EXPIRED);
        }
    }

    static Delivery fact(Fact fact, long amount, String currency, long refunded, String dispute) {
        return new Delivery(fact, amount, currency, refunded, dispute, 1, -1);
    }

    /**
     * A purchase of the mix, its story picked by the client's random: 8% the session expires unpaid;
     * 6% a payment of the wrong amount or currency (flagged), refunded half the time; the rest paid,
     * then: nothing more (30%), a partial refund (15%), a full one (10%), a partial then a full one
     * (12%), a dispute (10%: won 40%, lost 35%, left open), a partial refund then a dispute won or
     * lost (8%), a dispute whose closing (won or lost) comes before its creation (15%). Of the paid
     * ones with a refund or dispute, 30% are bought on an account that runs dry, whose user spends
     * the pack before the refund or dispute arrives (the claw-back meets spent credits); of the
     * others, half get their first refund or dispute before the completion. Then 15% of stories
     * deliver one earlier event again at the end (late), and each event is delivered twice in a row
     * (10%) or twice at once (8%).
     */
    StripePlan stripePlan(Random random) {
        Pack pack = packs.get(random.nextInt(packs.size()));
        List<String> label = new ArrayList<>();
        List<Delivery> story = new ArrayList<>();
        boolean spend = false;
        int fate = random.nextInt(100);
        long partial = 1 + random.nextInt((int) Math.min(Integer.MAX_VALUE, pack.amount() - 1));
        if (fate < 8) {
            label.add("expired");
            story.add(fact(Fact.EXPIRED, pack.amount(), pack.currency(), 0, null));
        } else if (fate < 14) {
            boolean wrongCurrency = random.nextInt(3) == 0;
            long delta = 1 + random.nextInt(100);
            long amount = wrongCurrency ? pack.amount() : random.nextBoolean() && pack.amount() > delta ? pack.amount() - delta
                    : pack.amount() + delta;
            String currency = wrongCurrency ? (pack.currency().equals("usd") ? "eur" : "usd") : pack.currency();
            label.add(wrongCurrency ? "wrong-currency" : "wrong-amount");
            story.add(fact(Fact.COMPLETED, amount, currency, 0, null));
            if (random.nextBoolean()) {
                label.add("full-refund");
                story.add(fact(Fact.REFUNDED, amount, currency, amount, null));
            }
        } else {
            label.add("paid");
            long amount = pack.amount();
            String currency = pack.currency();
            List<Delivery> takeBack = new ArrayList<>();
            int t = random.nextInt(100);
            if (t < 30) {
                // paid, nothing more
            } else if (t < 45) {
                label.add("partial-refund");
                takeBack.add(fact(Fact.REFUNDED, amount, currency, partial, null));
            } else if (t < 55) {
                label.add("full-refund");
                takeBack.add(fact(Fact.REFUNDED, amount, currency, amount, null));
            } else if (t < 67) {
                label.add("partial-then-full-refund");
                takeBack.add(fact(Fact.REFUNDED, amount, currency, partial, null));
                takeBack.add(fact(Fact.REFUNDED, amount, currency, amount, null));
            } else if (t < 77) {
                int close = random.nextInt(100);
                takeBack.add(fact(Fact.DISPUTE_CREATED, amount, currency, 0, "needs_response"));
                if (close < 75) {
                    String status = close < 40 ? "won" : "lost";
                    label.add("dispute-" + status);
                    takeBack.add(fact(Fact.DISPUTE_CLOSED, amount, currency, 0, status));
                } else {
                    label.add("dispute-open");
                }
            } else if (t < 85) {
                String status = random.nextBoolean() ? "won" : "lost";
                label.add("partial-refund+dispute-" + status);
                takeBack.add(fact(Fact.REFUNDED, amount, currency, partial, null));
                takeBack.add(fact(Fact.DISPUTE_CREATED, amount, currency, 0, "needs_response"));
                takeBack.add(fact(Fact.DISPUTE_CLOSED, amount, currency, 0, status));
            } else {
                String status = random.nextBoolean() ? "won" : "lost";
                label.add("dispute-" + status + "-closed-before-created");
                takeBack.add(fact(Fact.DISPUTE_CLOSED, amount, currency, 0, status));
                takeBack.add(fact(Fact.DISPUTE_CREATED, amount, currency, 0, "needs_response"));
            }
            Delivery completed = fact(Fact.COMPLETED, amount, currency, 0, null);
            spend = !takeBack.isEmpty() && random.nextInt(100) < 30;
            if (!spend && !takeBack.isEmpty() && random.nextInt(100) < 50) {
                label.add(takeBack.get(0).fact() == Fact.REFUNDED ? "refund-before-completion" : "dispute-before-completion");
                story.add(takeBack.remove(0));
                story.add(completed);
            } else {
                story.add(completed);
                if (spend) {
                    label.add("spent-first");
                    story.add(fact(Fact.SPEND, 0, currency, 0, null));
                }
            }
            story.addAll(takeBack);
        }
        if (story.size() > 1 && random.nextInt(100) < 15) {
            int again = random.nextInt(story.size() - 1);
            if (story.get(again).fact() != Fact.SPEND) {
                label.add("late-repeat");
                story.add(new Delivery(story.get(again).fact(), 0, null, 0, null, 1, again));
            }
        }
        for (int i = 0; i < story.size(); i++) {
            int copies = random.nextInt(100);
            if (story.get(i).fact() != Fact.SPEND && copies < 18) {
                story.set(i, story.get(i).copies(copies < 10 ? 2 : 3));
            }
        }
        return new StripePlan(String.join("+", label), pack, spend, story);
    }

    /**
     * At the start of the load, whatever the seed picks, one purchase of each story the checks must
     * see: paid and delivered twice at once; refunded before the completion; a partial then a full
     * refund, the partial delivered again late; a dispute won; a dispute lost whose closing comes
     * first; spent, then refunded in full; spent, then disputed and won; expired (twice); a payment
     * of the wrong amount, refunded.
     */
    List<StripePlan> openingPurchases() {
        Pack pack = packs.get(0);
        long amount = pack.amount();
        String cur = pack.currency();
        long third = Math.max(1, amount / 3);
        return List.of(
                new StripePlan("opening:paid+twice-at-once", pack, false, List.of(fact(Fact.COMPLETED, amount, cur, 0, null).copies(3))),
                new StripePlan("opening:paid+full-refund+refund-before-completion", pack, false, List.of(
                        fact(Fact.REFUNDED, amount, cur, amount, null), fact(Fact.COMPLETED, amount, cur, 0, null))),
                new StripePlan("opening:paid+partial-then-full-refund+late-repeat", pack, false, List.of(
                        fact(Fact.COMPLETED, amount, cur, 0, null), fact(Fact.REFUNDED, amount, cur, third, null),
                        fact(Fact.REFUNDED, amount, cur, amount, null), new Delivery(Fact.REFUNDED, 0, null, 0, null, 1, 1))),
                new StripePlan("opening:paid+dispute-won", pack, false, List.of(fact(Fact.COMPLETED, amount, cur, 0, null),
                        fact(Fact.DISPUTE_CREATED, amount, cur, 0, "needs_response"), fact(Fact.DISPUTE_CLOSED, amount, cur, 0, "won"))),
                new StripePlan("opening:paid+dispute-lost-closed-before-created", pack, false, List.of(
                        fact(Fact.COMPLETED, amount, cur, 0, null), fact(Fact.DISPUTE_CLOSED, amount, cur, 0, "lost"),
                        fact(Fact.DISPUTE_CREATED, amount, cur, 0, "needs_response"))),
                new StripePlan("opening:paid+spent-first+full-refund", pack, true, List.of(fact(Fact.COMPLETED, amount, cur, 0, null),
                        fact(Fact.SPEND, 0, cur, 0, null), fact(Fact.REFUNDED, amount, cur, amount, null))),
                new StripePlan("opening:paid+spent-first+dispute-won", pack, true, List.of(fact(Fact.COMPLETED, amount, cur, 0, null),
                        fact(Fact.SPEND, 0, cur, 0, null), fact(Fact.DISPUTE_CREATED, amount, cur, 0, "needs_response"),
                        fact(Fact.DISPUTE_CLOSED, amount, cur, 0, "won"))),
                new StripePlan("opening:expired", pack, false, List.of(fact(Fact.EXPIRED, amount, cur, 0, null).copies(2))),
                new StripePlan("opening:wrong-amount+full-refund", pack, false, List.of(fact(Fact.COMPLETED, amount - 1, cur, 0, null),
                        fact(Fact.REFUNDED, amount - 1, cur, amount - 1, null))));
    }

    /** A purchase of the mix: on a funded account, or, when its buyer spends the pack first, on one that runs dry. */
    void purchase(Random random, String key) {
        StripePlan plan = stripePlan(random);
        int user = plan.spend() && !dryAccounts.isEmpty() ? dryAccounts.get(random.nextInt(dryAccounts.size())) : funded(random);
        buyAndPlayStripe(user, key, plan, null);
    }

    /**
     * Buys the plan's pack ({@code POST /api/credit/purchases}, retried with the same key and body
     * like every mutation), then plays Stripe: delivers each event of the story, signed, until it is
     * acknowledged; the buyer spends the pack where the story says so. With {@code gaps}, each event
     * (and the spending) comes 0.3-3 s after the one before, until the load's time is up (so that a
     * story the last fault held up does not keep the load from ending). Written to purchases.tsv:
     * what the app answered and what Stripe said in the end.
     */
    void buyAndPlayStripe(int user, String key, StripePlan plan, Random gaps) {
        Pack pack = plan.pack();
        Outcome o = mutate(Kind.PURCHASE, userAuth[user], "/api/credit/purchases", key, "{\"packId\":\"" + pack.id() + "\"}");
        if (!o.acked()) {
            tsv(purchases, null, user(user), key, pack.id(), pack.millicredits(), pack.amount(), pack.currency(), o.status, null, null,
                    plan.label(), false, false, null, null, 0, null, false, false, false);
            return;
        }
        String purchaseId = field(o.body, "purchaseId");
        String checkoutUrl = field(o.body, "checkoutUrl");
        String session = checkoutUrl.substring(checkoutUrl.lastIndexOf('/') + 1);
        String paymentIntent = "pi_" + purchaseId.replace("-", "");
        List<Delivery> story = plan.story();
        String[][] events = new String[story.size()][];
        boolean delivered = true;
        boolean spent = false;
        for (int i = 0; i < story.size(); i++) {
            Delivery d = story.get(i);
            if (gaps != null && System.nanoTime() < loadEndNanos) {
                pause(300 + gaps.nextInt(2_700));
            }
            if (d.fact() == Fact.SPEND) {
                // The buyer spends the pack, but a little: gpt-4o-mini output worth that much.
                long output = Math.max(0, pack.millicredits() - SPEND_MARGIN) * 1_000_000 / SPEND_OUTPUT_MILLICREDITS_PER_MILLION;
                spent = charge(user, key + "-spend", 1, output);
                continue;
            }
            events[i] = d.repeatOf() >= 0 ? events[d.repeatOf()] : event(d, purchaseId, session, paymentIntent);
            delivered &= deliverCopies(purchaseId, i, events[i], d.copies());
        }
        Delivery completed = plan.completed();
        boolean matched = completed != null && completed.amount() == pack.amount() && completed.currency().equals(pack.currency());
        tsv(purchases, purchaseId, user(user), key, pack.id(), pack.millicredits(), pack.amount(), pack.currency(), o.status, session,
                paymentIntent, plan.label(), completed != null, matched, completed == null ? null : completed.amount(),
                completed == null ? null : completed.currency(), plan.refunded(), plan.dispute(), plan.expired(), spent, delivered);
    }

    /** A Stripe event of the story, as Stripe sends it: {id, type, a detail for the record, payload}. */
    String[] event(Delivery d, String purchaseId, String session, String paymentIntent) {
        String id = "evt_" + tag + "_" + stripeEventIds.incrementAndGet();
        String type;
        String object;
        String detail;
        switch (d.fact()) {
            case COMPLETED, EXPIRED -> {
                boolean paid = d.fact() == Fact.COMPLETED;
                type = paid ? "checkout.session.completed" : "checkout.session.expired";
                detail = paid ? "paid " + d.amount() + " " + d.currency() : "unpaid";
                object = "{\"id\":\"" + session + "\",\"object\":\"checkout.session\",\"client_reference_id\":\"" + purchaseId
                        + "\",\"payment_intent\":" + (paid ? "\"" + paymentIntent + "\"" : "null") + ",\"payment_status\":\""
                        + (paid ? "paid" : "unpaid") + "\",\"amount_total\":" + d.amount() + ",\"currency\":\"" + d.currency()
                        + "\",\"mode\":\"payment\",\"status\":\"" + (paid ? "complete" : "expired") + "\"}";
            }
            case REFUNDED -> {
                type = "charge.refunded";
                detail = "refunded " + d.refunded() + " of " + d.amount();
                object = "{\"id\":\"ch_" + paymentIntent.substring(3) + "\",\"object\":\"charge\",\"payment_intent\":\"" + paymentIntent
                        + "\",\"amount\":" + d.amount() + ",\"amount_refunded\":" + d.refunded() + ",\"currency\":\"" + d.currency()
                        + "\",\"refunded\":" + (d.refunded() >= d.amount()) + "}";
            }
            case DISPUTE_CREATED, DISPUTE_CLOSED -> {
                type = d.fact() == Fact.DISPUTE_CREATED ? "charge.dispute.created" : "charge.dispute.closed";
                detail = d.disputeStatus();
                object = "{\"id\":\"dp_" + paymentIntent.substring(3) + "\",\"object\":\"dispute\",\"charge\":\"ch_"
                        + paymentIntent.substring(3) + "\",\"payment_intent\":\"" + paymentIntent + "\",\"amount\":" + d.amount()
                        + ",\"currency\":\"" + d.currency() + "\",\"status\":\"" + d.disputeStatus() + "\"}";
            }
            default -> throw new IllegalArgumentException(d.fact().toString());
        }
        String payload = "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"" + stripeApiVersion + "\",\"created\":"
                + Instant.now().getEpochSecond() + ",\"livemode\":false,\"pending_webhooks\":1,\"type\":\"" + type
                + "\",\"data\":{\"object\":" + object + "}}";
        return new String[] { id, type, detail, payload };
    }

    /**
     * Delivers an event once, twice in a row (copies 2: recorded as copies 1 and 2) or twice at once
     * (3: recorded as copies 1 and 3); true if every delivery was acknowledged.
     */
    boolean deliverCopies(String purchaseId, int seq, String[] event, int copies) {
        if (copies < 3) {
            boolean ok = true;
            for (int c = 1; c <= copies; c++) {
                ok &= deliver(purchaseId, seq, c, event);
            }
            return ok;
        }
        boolean[] ok = new boolean[2];
        Thread other = daemon(() -> ok[1] = deliver(purchaseId, seq, 3, event)); // copy 3: the one sent at the same moment
        ok[0] = deliver(purchaseId, seq, 1, event);
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return ok[0] && ok[1];
    }

    /**
     * One delivery of an event as Stripe makes it: {@code POST /api/webhooks/stripe} with
     * {@code Stripe-Signature: t=<now>,v1=<HMAC-SHA256 of "<now>.<payload>" with the secret, hex>},
     * signed anew for every attempt, and retried like Stripe retries a delivery — on any answer but
     * a 2xx (here: I/O errors, timeouts, 429 and 5xx; a 4xx other than 429 is final) — for at most
     * retrySeconds. Written to stripe-events.tsv; true if acknowledged.
     */
    boolean deliver(String purchaseId, int seq, int copy, String[] event) {
        long giveUp = System.nanoTime() + retrySeconds * 1_000_000_000L;
        long pauseMs = 100;
        for (int attempt = 1;; attempt++) {
            if (attempt > 1) {
                countUp("retry");
            }
            int status;
            String answer;
            String retryAfter = null;
            try {
                long now = Instant.now().getEpochSecond();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/webhooks/stripe"))
                        .header("Content-Type", "application/json; charset=utf-8")
                        .header("Stripe-Signature", "t=" + now + ",v1=" + hmac(now + "." + event[3]))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(event[3])).build(), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                answer = response.body();
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                answered.incrementAndGet();
                countUp(Kind.WEBHOOK + " " + status);
            } catch (IOException e) {
                status = -1;
                answer = e.getClass().getSimpleName();
                countUp("io");
                countUp(Kind.WEBHOOK + " io");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = -1;
                answer = "interrupted";
            }
            if (status >= 500) {
                countUp("5xx");
                line(fivexx, Kind.WEBHOOK, Instant.now().toString(), "/api/webhooks/stripe", event[0], Integer.toString(status),
                        problemType(answer), oneLine(answer));
            }
            boolean acked = status >= 200 && status < 300;
            boolean retry = status == -1 || status == 429 || status >= 500;
            if (acked || !retry || System.nanoTime() > giveUp || Thread.currentThread().isInterrupted()) {
                tsv(stripeEvents, purchaseId, seq, copy, event[0], event[1], event[2], attempt, status,
                        acked ? Instant.now().toString() : null);
                return acked;
            }
            long sleep = retryAfter != null && retryAfter.matches("\\d{1,3}") ? Long.parseLong(retryAfter) * 1000 : pauseMs;
            pauseMs = Math.min(2_000, pauseMs * 2);
            pause(Math.min(sleep, 5_000));
        }
    }

    /** Hex HMAC-SHA256 with the webhook signing secret, as Stripe signs. */
    String hmac(String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(stripeSecret, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String stripeApiVersion() {
        try {
            return (String) Class.forName("com.stripe.Stripe").getField("API_VERSION").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return STRIPE_API_VERSION_FALLBACK;
        }
    }

    /** A tab-separated line for PostgreSQL's text COPY: null as \N. */
    static void tsv(PrintWriter out, Object... fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            Object f = fields[i];
            String v = f == null ? "\\N" : f instanceof Boolean b ? (b ? "t" : "f")
                    : String.valueOf(f).replace('\t', ' ').replace('\n', ' ').replace('\\', '/');
            sb.append(i == 0 ? "" : "\t").append(v);
        }
        synchronized (out) {
            out.println(sb);
        }
    }

    /** A funded account (not one that runs dry). */
    int funded(Random random) {
        for (int tries = 0; tries < 100; tries++) {
            int user = random.nextInt(userAuth.length);
            if (grants[user] > DRY_GRANT_MAX) {
                return user;
            }
        }
        return anyAccount(random);
    }

    /** An admin adjustment of {@code amount} to the purchased bucket of an account, before call {@code key}. */
    void topUp(int user, String key, long amount) {
        Outcome o = mutate(Kind.ADJUST, adminAuth, "/api/admin/credit/adjustments", key + "-topup", "{\"userId\":\""
                + user(user) + "\",\"bucket\":\"purchased\",\"amountMillicredits\":" + amount
                + ",\"reason\":\"fault run: top-up before a call\"}");
        if (o.acked()) {
            ack(Kind.ADJUST, user(user), "tollgate:adjust:" + key + "-topup", field(o.body, "entryId"), amount, "purchased");
        } else {
            finalOutcome(Kind.ADJUST, user(user), "tollgate:adjust:" + key + "-topup", o);
        }
    }

    /** One call of a burst: a top-up and an overrunning call (a dry account), or a slow plain call. */
    void burstCall(int user, String key, boolean overrun, long topUp) {
        String body;
        String shape;
        if (overrun) {
            topUp(user, key, topUp);
            shape = "burst-overrun";
            body = "{\"model\":\"" + REASONING_MODEL + "\",\"messages\":[" + SYSTEM_MESSAGE + ",{\"role\":\"user\",\"content\":"
                    + jsonString(USER_TEXT + " [[fake:tag=" + key + "]][[fake:ignore-max-tokens]][[fake:words=300]]"
                            + "[[fake:chunk-delay-ms=20]]")
                    + "}],\"max_completion_tokens\":16,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        } else {
            shape = "burst-slow";
            body = "{\"model\":\"" + MODEL + "\",\"messages\":[" + SYSTEM_MESSAGE + ",{\"role\":\"user\",\"content\":"
                    + jsonString(USER_TEXT + " [[fake:tag=" + key + "]][[fake:words=20]][[fake:chunk-delay-ms=250]]")
                    + "}],\"max_tokens\":64,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        }
        recordChat(user, key, "stream:" + shape, mutate(Kind.CHAT, userAuth[user], "/v1/chat/completions", key, body), -1);
    }

    /** An account of the mix: any but those kept for the opening grants. */
    int anyAccount(Random random) {
        int user = random.nextInt(userAuth.length);
        while (openingGrantAccounts.contains(user)) {
            user = random.nextInt(userAuth.length);
        }
        return user;
    }

    /** One operation of a client, picked by its seeded random: on the team pool, or one of the mix. */
    void step(Random random, String id) {
        String key = tag + "-" + id;
        if (team != null && random.nextInt(100) < TeamScenario.SHARE_PERCENT) {
            team.step(random, key);
            return;
        }
        int user = anyAccount(random);
        String auth = userAuth[user];
        int pick = random.nextInt(100);
        if (pick < 10 || (pick >= 17 && pick < 20 && packs.isEmpty())) {
            read(Kind.BALANCE, auth, "GET", "/api/credit/balance", null);
        } else if (pick < 17) {
            read(Kind.PRECHECK, auth, "POST", "/api/credit/pre-check",
                    "{\"model\":\"" + MODEL + "\",\"messages\":" + MESSAGES + ",\"maxOutputTokens\":" + (1 + random.nextInt(2000)) + "}");
        } else if (pick < 20) {
            purchase(random, key);
        } else if (pick < 41) {
            charge(user, auth, key, random);
        } else if (pick < 45) {
            grant(random, key);
        } else if (pick < 65) {
            hold(user, auth, key, random, random.nextInt(10));
        } else if (pick < 73) {
            adjust(user, key, random);
        } else if (chat) {
            chat(user, auth, key, random);
        } else {
            charge(user, auth, key, random);
        }
    }

    void charge(int user, String auth, String key, Random random) {
        charge(user, key, 1 + random.nextInt(5_000), random.nextInt(2_000));
    }

    /** A charge of gpt-4o-mini usage; true if acknowledged. */
    boolean charge(int user, String key, long input, long output) {
        Outcome o = mutate(Kind.CHARGE, userAuth[user], "/api/credit/charges", key, "{\"model\":\"" + MODEL
                + "\",\"usage\":{\"uncachedInputTokens\":" + input + ",\"outputTokens\":" + output + "}}");
        if (o.acked()) {
            ack(Kind.CHARGE, user(user), key, field(o.body, "chargeId"), Long.parseLong(field(o.body, "costMillicredits")),
                    field(o.body, "usageId"));
            return true;
        }
        finalOutcome(Kind.CHARGE, user(user), key, o);
        return false;
    }

    /** A hold, then (by {@code fate}) settled (0-5), released (6-8) or left to expire (9). */
    void hold(int user, String auth, String key, Random random, int fate) {
        Outcome o = mutate(Kind.HOLD, auth, "/api/credit/reservations", key, "{\"model\":\"" + MODEL + "\",\"messages\":"
                + MESSAGES + ",\"maxOutputTokens\":" + (1 + random.nextInt(2_000)) + "}");
        if (!o.acked()) {
            finalOutcome(Kind.HOLD, user(user), key, o);
            return;
        }
        String reservation = field(o.body, "reservationId");
        ack(Kind.HOLD, user(user), key, reservation, Long.parseLong(field(o.body, "heldMillicredits")), "");
        if (fate <= 5) {
            String settleKey = "tollgate:settle:" + reservation;
            Outcome s = mutate(Kind.SETTLE, auth, "/api/credit/reservations/" + reservation + "/settle", key + "-s",
                    "{\"usage\":{\"uncachedInputTokens\":" + (1 + random.nextInt(200)) + ",\"outputTokens\":"
                            + random.nextInt(2_500) + "}}");
            if (s.acked()) {
                ack(Kind.SETTLE, user(user), settleKey, reservation, Long.parseLong(field(s.body, "chargedMillicredits")), "");
            } else {
                finalOutcome(Kind.SETTLE, user(user), settleKey, s);
            }
        } else if (fate <= 8) {
            String releaseKey = "tollgate:release:" + reservation;
            Outcome r = mutate(Kind.RELEASE, auth, "/api/credit/reservations/" + reservation + "/release", key + "-r", null);
            if (r.acked()) {
                ack(Kind.RELEASE, user(user), releaseKey, reservation, Long.parseLong(field(r.body, "releasedMillicredits")), "");
            } else {
                finalOutcome(Kind.RELEASE, user(user), releaseKey, r);
            }
        }
    }

    /** An admin adjustment: a correction (either sign, either bucket) or a refund of some credits to purchased. */
    void adjust(int user, String key, Random random) {
        boolean refund = random.nextInt(3) == 0;
        Kind kind = refund ? Kind.REFUND : Kind.ADJUST;
        long amount = refund ? 1 + random.nextInt(200) : random.nextInt(5) < 3 ? 1 + random.nextInt(5_000) : -1 - random.nextInt(3_000);
        String bucket = refund || random.nextBoolean() ? "purchased" : "monthly";
        String reason = refund ? "fault run: refund of a charged call" : "fault run: correction";
        Outcome o = mutate(kind, adminAuth, "/api/admin/credit/adjustments", key, "{\"userId\":\"" + user(user)
                + "\",\"bucket\":\"" + bucket + "\",\"amountMillicredits\":" + amount + ",\"reason\":\"" + reason + "\"}");
        if (o.acked()) {
            ack(kind, user(user), "tollgate:adjust:" + key, field(o.body, "entryId"), amount, bucket);
        } else {
            finalOutcome(kind, user(user), "tollgate:adjust:" + key, o);
        }
    }

    /**
     * An admin's grant of a lot that expires during the run: half of them to an account that runs dry
     * (its holds and calls then live on the lot, and its expiry must keep what they need), of random
     * size, lifetime (seconds to two minutes) and priority (absent: the default, a fifth of them).
     */
    void grant(Random random, String key) {
        boolean dry = !dryAccounts.isEmpty() && random.nextBoolean();
        int user = dry ? dryAccounts.get(random.nextInt(dryAccounts.size())) : anyAccount(random);
        long amount = dry ? 50 + random.nextInt(1_950) : 100 + random.nextInt(19_900);
        long lifetimeMs = random.nextInt(4) == 0 ? GRANT_LONG_LIFETIME_MIN_MS + random.nextInt(GRANT_LONG_LIFETIME_SPAN_MS + 1)
                : GRANT_SHORT_LIFETIME_MIN_MS + random.nextInt(GRANT_SHORT_LIFETIME_SPAN_MS + 1);
        Integer priority = random.nextInt(5) == 0 ? null : random.nextInt(201);
        grantLot(user, key, amount, Instant.now().plusMillis(lifetimeMs), priority);
    }

    /**
     * {@code POST /api/admin/credit/grants} under {@code key}, retried with the same body (its expiry
     * a fixed instant) until acknowledged; true if it was. A retry after the expiry has passed is
     * refused 400 if the grant never committed (a replay of one that did still answers 201).
     */
    boolean grantLot(int user, String key, long amount, Instant expiresAt, Integer priority) {
        String ledgerKey = "tollgate:grant:" + key;
        Outcome o = mutate(Kind.GRANT, adminAuth, "/api/admin/credit/grants", key, "{\"userId\":\"" + user(user)
                + "\",\"amountMillicredits\":" + amount + ",\"expiresAt\":\"" + expiresAt + "\""
                + (priority == null ? "" : ",\"priority\":" + priority)
                + ",\"reason\":\"fault run: a grant that expires during the run\"}");
        if (o.acked()) {
            // extra: the GRANT entry, the priority and the expiry as answered (check 7 finds the lot as answered)
            ack(Kind.GRANT, user(user), ledgerKey, field(o.body, "lotId"), Long.parseLong(field(o.body, "amountMillicredits")),
                    field(o.body, "entryId") + " " + field(o.body, "priority") + " " + field(o.body, "expiresAt"));
            return true;
        }
        finalOutcome(Kind.GRANT, user(user), ledgerKey, o);
        return false;
    }

    /**
     * A lot that expires while a hold needs it: an account that runs dry is drained (a charge of
     * what it has but {@link #OPENING_DRAIN_MARGIN}), granted a lot that expires in
     * {@link #OPENING_GRANT_LIFETIME_MS}, and a hold is placed on it at once; past the lot's expiry
     * (the expiry job, or the settle itself, expires the lot but what the hold needs) the hold is
     * settled ({@code settle}: it spends the kept part of the expired lot) or released, and a later
     * expiry pass takes the rest.
     */
    void openingGrant(int user, String key, boolean settle) {
        String auth = userAuth[user];
        long available = available(auth);
        if (available > OPENING_DRAIN_MARGIN) {
            // gpt-4o-mini output worth what the account has less the margin (the input token adds at most 1)
            charge(user, key + "-drain", 1, (available - OPENING_DRAIN_MARGIN) * 1_000_000 / SPEND_OUTPUT_MILLICREDITS_PER_MILLION);
        }
        Instant expires = Instant.now().plusMillis(OPENING_GRANT_LIFETIME_MS);
        if (!grantLot(user, key + "-grant", OPENING_GRANT_MILLICREDITS, expires, 0)) {
            return;
        }
        Outcome o = mutate(Kind.HOLD, auth, "/api/credit/reservations", key + "-hold", "{\"model\":\"" + MODEL
                + "\",\"messages\":" + MESSAGES + ",\"maxOutputTokens\":" + OPENING_HOLD_OUTPUT_TOKENS + "}");
        if (!o.acked()) {
            finalOutcome(Kind.HOLD, user(user), key + "-hold", o);
            return;
        }
        String reservation = field(o.body, "reservationId");
        ack(Kind.HOLD, user(user), key + "-hold", reservation, Long.parseLong(field(o.body, "heldMillicredits")), "");
        LoadDriver.log("opening grant %s: account %s had %d millicredits; a lot of %d until %s, a hold of %s", key, user(user),
                available, OPENING_GRANT_MILLICREDITS, expires, field(o.body, "heldMillicredits"));
        pause(Math.max(0, Duration.between(Instant.now(), expires).toMillis()) + 7_000);
        if (settle) {
            String settleKey = "tollgate:settle:" + reservation;
            Outcome s = mutate(Kind.SETTLE, auth, "/api/credit/reservations/" + reservation + "/settle", key + "-s",
                    "{\"usage\":{\"uncachedInputTokens\":1,\"outputTokens\":" + OPENING_HOLD_OUTPUT_TOKENS / 2 + "}}");
            if (s.acked()) {
                ack(Kind.SETTLE, user(user), settleKey, reservation, Long.parseLong(field(s.body, "chargedMillicredits")), "");
            } else {
                finalOutcome(Kind.SETTLE, user(user), settleKey, s);
            }
        } else {
            String releaseKey = "tollgate:release:" + reservation;
            Outcome r = mutate(Kind.RELEASE, auth, "/api/credit/reservations/" + reservation + "/release", key + "-r", null);
            if (r.acked()) {
                ack(Kind.RELEASE, user(user), releaseKey, reservation, Long.parseLong(field(r.body, "releasedMillicredits")), "");
            } else {
                finalOutcome(Kind.RELEASE, user(user), releaseKey, r);
            }
        }
    }

    /** An account's available balance ({@code GET /api/credit/balance}), read until answered; 0 if never. */
    long available(String auth) {
        long giveUp = System.nanoTime() + retrySeconds * 1_000_000_000L;
        while (System.nanoTime() < giveUp) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/credit/balance"))
                        .header("Authorization", auth).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                answered.incrementAndGet();
                countUp(Kind.BALANCE + " " + response.statusCode());
                if (response.statusCode() == 200) {
                    return Long.parseLong(field(response.body(), "availableMillicredits"));
                }
            } catch (IOException e) {
                countUp("io");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            pause(500);
        }
        return 0;
    }

    /**
     * A metered chat call of the mix, shaped by the client's random; every call is tagged with its
     * key ({@code [[fake:tag=KEY]]}), so that the fake's bill of it can be found.
     */
    void chat(int user, String auth, String key, Random random) {
        ChatShape call = chatShape(key, random);
        if (call.dryAccount() && !dryAccounts.isEmpty()) {
            // An account that runs dry, given a little first (as its user would buy): the hold fits,
            // the overrun does not, and the settle records a shortfall.
            user = dryAccounts.get(random.nextInt(dryAccounts.size()));
            auth = userAuth[user];
            topUp(user, key, 30 + random.nextInt(40));
        }
        String ref = (call.stream() ? "stream:" : "once:") + call.shape();
        if (call.stalledReader()) {
            recordChat(user, key, ref, stalledRead(auth, key, call.body()), -2);
            return;
        }
        recordChat(user, key, ref, mutate(Kind.CHAT, auth, "/v1/chat/completions", key, call.body(), call.hangUpAfterBytes()),
                call.hangUpAfterBytes());
    }

    /** What the client of a chat call saw, recorded for the checks ({@code hangUp} -1: read all, -2: stopped reading). */
    void recordChat(int user, String key, String ref, Outcome o, int hangUp) {
        recordChat(user(user), key, ref, o, hangUp);
    }

    /** As {@link #recordChat(int, String, String, Outcome, int)}, on the account {@code account} (a user's, or a team pool). */
    void recordChat(String account, String key, String ref, Outcome o, int hangUp) {
        String seen;
        if (o.acked()) {
            seen = hangUp >= 0 ? "hung-up" : hangUp == -2 ? "stopped-reading"
                    : o.body.contains("\"type\":\"provider_error\"") ? "provider-cut" : "complete";
            ack(Kind.CHAT, account, key, ref, 0, seen);
        } else if ((o.status == 502 || o.status == 504) && o.body.contains("\"chargedMillicredits\"")) {
            // The provider took the call and no (whole) answer came: what it may bill was charged.
            seen = "charged-" + o.status + "-" + problemType(o.body);
            ack(Kind.CHAT, account, key, ref, 0, seen);
        } else if (o.status == 409 && o.attempts > 1) {
            // The retry met the key of the first attempt, whose answer was lost: a chat key is used once.
            seen = "unknown-409";
            line(unknown, Kind.CHAT, account, key, "409 after " + o.attempts + " attempts");
        } else {
            seen = o.status + " " + problemType(o.body);
            finalOutcome(Kind.CHAT, account, key, o);
        }
        line(chats, account, key, ref, seen);
    }

    /**
     * One chat call: its body, whether it streams, after how many bytes the client hangs up (-1:
     * never), its shape, whether it goes to an account that runs dry, whether its client stops reading.
     */
    record ChatShape(String body, boolean stream, int hangUpAfterBytes, String shape, boolean dryAccount,
            boolean stalledReader) {
    }

    /**
     * A streamed chat call whose client stops reading: a raw HTTP/1.1 connection with a small receive
     * buffer that reads the status line and headers, then nothing for {@link #stalledReadMs} (longer
     * than the app's client write timeout, after which the app lets it go), then closes. Retried with
     * the same key, like any mutation, on 429, 500, 503 and I/O errors before the status line.
     */
    Outcome stalledRead(String auth, String key, String body) {
        long giveUp = System.nanoTime() + retrySeconds * 1_000_000_000L;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(url);
        for (int attempt = 1;; attempt++) {
            if (attempt > 1) {
                countUp("retry");
            }
            int status = -1;
            String answer = "";
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.setReceiveBufferSize(STALLED_READER_RECEIVE_BUFFER);
                socket.setSoTimeout(60_000);
                socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
                java.io.OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nAuthorization: " + auth
                        + "\r\nIdempotency-Key: " + key + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                InputStream in = socket.getInputStream();
                String head = readHead(in);
                Matcher m = Pattern.compile("^HTTP/1\\.1 (\\d{3})").matcher(head);
                status = m.find() ? Integer.parseInt(m.group(1)) : 0;
                answered.incrementAndGet();
                if (status == 200) {
                    pause(stalledReadMs); // reads nothing; the app's writes block, then it lets the client go
                } else {
                    Matcher length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
                    answer = length.find() ? new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8)
                            : "";
                }
            } catch (IOException e) {
                if (status < 0) {
                    countUp("io");
                    countUp(Kind.CHAT + " io");
                }
            }
            if (status >= 0) {
                countUp(Kind.CHAT + " " + status);
            }
            if (status >= 500) {
                countUp("5xx");
                line(fivexx, Kind.CHAT, Instant.now().toString(), "/v1/chat/completions", key, Integer.toString(status),
                        problemType(answer), oneLine(answer));
            }
            boolean retry = status == -1 || status == 429 || status == 500 || status == 503;
            if (!retry || System.nanoTime() > giveUp) {
                return new Outcome(status, answer, attempt);
            }
            pause(Math.min(2_000, 100L << Math.min(attempt, 5)));
        }
    }

    /** The status line and headers of an HTTP/1.1 answer, read byte by byte (they are small). */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int c; (c = in.read()) >= 0;) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
            if (head.length() > 16_384) {
                break;
            }
        }
        return head.toString();
    }

    /**
     * The shapes of the chat mix: 40% the plain call (gpt-4o-mini, a system and a user message,
     * max_tokens 32), 12% with tool definitions (a tool_choice, sometimes a json_schema
     * response_format), 12% with a tool-call history (an assistant's tool_calls and the tool's
     * message), 12% with images (an inline PNG and an http URL; one in eight also carries audio,
     * refused 422), 24% the reasoning model; across them the fake reports no usage (15%), answers
     * with a tool call (10%, 40% with tools), reports cached tokens (15%), and the client hangs up
     * mid-stream (12%: a slow stream, a few bytes read, then closed).
     */
    ChatShape chatShape(String key, Random random) {
        boolean stream = random.nextBoolean();
        int pick = random.nextInt(100);
        List<String> shape = new ArrayList<>();
        StringBuilder directives = new StringBuilder("[[fake:tag=").append(key).append("]]");
        String model = MODEL;
        String budget = "\"max_tokens\":32";
        String imageParts = null;
        String history = "";
        String extra = "";
        boolean tools = false;
        int words = 1 + random.nextInt(60);
        if (pick < 40) {
            shape.add("plain");
            words = -1; // the fake's five fixed words
        } else if (pick < 52) {
            shape.add("tools");
            tools = true;
            int count = 1 + random.nextInt(3);
            StringBuilder definitions = new StringBuilder();
            for (int t = 0; t < count; t++) {
                definitions.append(t == 0 ? "" : ",").append(tool("tool_" + t, 1 + random.nextInt(20)));
            }
            extra += ",\"tools\":[" + definitions + "]";
            switch (random.nextInt(4)) {
                case 0 -> extra += ",\"tool_choice\":\"auto\"";
                case 1 -> extra += ",\"tool_choice\":\"none\"";
                case 2 -> extra += ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"tool_0\"}}";
                default -> { } // absent
            }
            if (random.nextInt(3) == 0) {
                shape.add("json-schema");
                extra += ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\",\"strict\":true,"
                        + "\"schema\":{\"type\":\"object\",\"properties\":{\"w\":{\"type\":\"string\"}},\"required\":[\"w\"]}}}";
            }
            budget = "\"max_tokens\":" + (16 + random.nextInt(240));
        } else if (pick < 64) {
            shape.add("tool-history");
            history = ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"lookup\",\"arguments\":" + jsonString("{\"q\":\"" + "x ".repeat(random.nextInt(300)) + "\"}")
                    + "}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":" + jsonString("result ".repeat(random.nextInt(300)))
                    + "}";
            budget = "\"max_completion_tokens\":" + (16 + random.nextInt(240));
        } else if (pick < 76) {
            shape.add("images");
            String inline = images.get(random.nextInt(images.size()));
            String[] details = { "", ",\"detail\":\"low\"", ",\"detail\":\"high\"", ",\"detail\":\"auto\"" };
            imageParts = ",{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + inline + "\"" + details[random.nextInt(4)] + "}},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://img.example.com/" + random.nextInt(100)
                    + ".png\"" + details[random.nextInt(4)] + "}}";
            if (random.nextInt(8) == 0) {
                shape.add("audio");
                imageParts += ",{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklGRg==\",\"format\":\"wav\"}}";
            }
            budget = "\"max_tokens\":" + (16 + random.nextInt(240));
        } else {
            shape.add("reasoning");
            model = REASONING_MODEL;
            directives.append("[[fake:reasoning=").append(random.nextInt(400)).append("]]");
            budget = "\"max_completion_tokens\":" + (64 + random.nextInt(960));
        }
        if (random.nextInt(100) < 15) {
            shape.add("no-usage");
            directives.append("[[fake:no-usage]]");
        }
        if (random.nextInt(100) < (tools ? 40 : 10)) {
            shape.add("tool-call-out");
            directives.append("[[fake:tool-call=tool_0]]");
        }
        if (random.nextInt(100) < 15) {
            shape.add("cached");
            directives.append("[[fake:cached=").append(random.nextInt(200)).append("]]");
        }
        // The recovery paths' shapes: a provider that takes the call and never answers (the app charges
        // the hold: outcome unknown), one that ignores the budget (mostly on accounts that run dry: a
        // shortfall), a client that stops reading a long stream; and on a fifth of the others, [DONE]
        // held back after the final chunk (the window a kill -9 of the app is aimed at).
        int special = random.nextInt(100);
        boolean dryAccount = false;
        boolean stalledReader = false;
        if (special < 3) {
            shape.add("unanswered");
            directives.append("[[fake:stall]]");
        } else if (special < 9) {
            shape.add("overrun");
            directives.append("[[fake:ignore-max-tokens]]");
            words = 100 + random.nextInt(200);
            dryAccount = random.nextInt(10) < 6;
        } else if (special < 12) {
            shape.add("stopped-reading");
            stream = true;
            stalledReader = true;
            words = STALLED_READER_WORDS;
            model = MODEL;
            // gpt-4o-mini does not reason: a reasoning shape's directive would have the fake bill
            // reasoning that the app, rightly, does not count for this model.
            int reasoning = directives.indexOf("[[fake:reasoning=");
            if (reasoning >= 0) {
                directives.delete(reasoning, directives.indexOf("]]", reasoning) + 2);
                shape.remove("reasoning");
            }
            budget = "\"max_tokens\":" + (STALLED_READER_WORDS + 1_000);
        } else if (random.nextInt(100) < 20) {
            shape.add("final-hold");
            directives.append("[[fake:final-hold-ms=").append(FINAL_HOLD_MS).append("]]");
        }
        int hangUpAfterBytes = -1;
        if (special >= 12 && random.nextInt(100) < 12) {
            shape.add("hang-up");
            stream = true;
            words = HANG_UP_WORDS;
            directives.append("[[fake:chunk-delay-ms=").append(HANG_UP_CHUNK_DELAY_MS).append("]]");
            hangUpAfterBytes = 1 + random.nextInt(200);
        }
        if (words >= 0) {
            directives.append("[[fake:words=").append(words).append("]]");
        }
        // The directives end the text of the last user message (its text part, with images).
        String text = jsonString(USER_TEXT + " " + directives);
        String userContent = imageParts == null ? text : "[{\"type\":\"text\",\"text\":" + text + "}" + imageParts + "]";
        String body = "{\"model\":\"" + model + "\",\"messages\":[" + SYSTEM_MESSAGE + history
                + ",{\"role\":\"user\",\"content\":" + userContent + "}]," + budget + extra
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : "}");
        return new ChatShape(body, stream, hangUpAfterBytes, String.join("+", shape), dryAccount, stalledReader);
    }

    /** A function tool with a description and {@code fields} parameters of the kinds OpenAI renders differently. */
    static String tool(String name, int fields) {
        StringBuilder properties = new StringBuilder();
        for (int f = 0; f < fields; f++) {
            String type = switch (f % 5) {
                case 0 -> "{\"type\":\"string\",\"description\":\"Field " + f + " of the character sheet, as free text.\"}";
                case 1 -> "{\"type\":\"string\",\"enum\":[\"calm\",\"angry\",\"sad\"]}";
                case 2 -> "{\"type\":\"integer\",\"description\":\"A level from 1 to 10.\"}";
                case 3 -> "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}";
                default -> "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"The city.\"}}}";
            };
            properties.append(f == 0 ? "" : ",").append("\"field_").append(f).append("\":").append(type);
        }
        return "{\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"description\":\"Updates the character sheet.\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{" + properties + "},\"required\":[\"field_0\"]}}}";
    }

    /** A data: URL of a black PNG of this size. */
    static String png(int width, int height) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** A JSON string literal (the texts here have no control characters). */
    static String jsonString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---------------------------------------------------------------- HTTP with retries

    /** The final answer to a mutation (status -1: given up after I/O errors). */
    record Outcome(int status, String body, int attempts) {
        boolean acked() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Sends a mutation until it gets a final answer: retried with the same key and body on I/O
     * errors and timeouts, 429, 500 and 503, with a growing pause, for at most retrySeconds. A
     * chat call is not retried after a 502 or 504 (the provider failed: nothing was charged, or,
     * when the answer says chargedMillicredits, what the provider may bill was).
     */
    Outcome mutate(Kind kind, String auth, String path, String key, String body) {
        return mutate(kind, auth, path, key, body, -1);
    }

    /**
     * As {@link #mutate(Kind, String, String, String, String)}; a client that hangs up
     * ({@code hangUpAfterBytes} >= 0) reads that many bytes of a 200 answer and closes it (the
     * answer's body is then empty).
     */
    Outcome mutate(Kind kind, String auth, String path, String key, String body, int hangUpAfterBytes) {
        return mutate(kind, auth, null, path, key, body, hangUpAfterBytes);
    }

    /**
     * As {@link #mutate(Kind, String, String, String, String, int)}, on the account {@code account}
     * ({@code X-Tollgate-Account}: a team pool; null: the caller's own).
     */
    Outcome mutate(Kind kind, String auth, String account, String path, String key, String body, int hangUpAfterBytes) {
        long giveUp = System.nanoTime() + retrySeconds * 1_000_000_000L;
        long pauseMs = 100;
        for (int attempt = 1;; attempt++) {
            if (attempt > 1) {
                countUp("retry");
            }
            int status;
            String answer;
            String retryAfter = null;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                        .header("Authorization", auth)
                        .header("Idempotency-Key", key)
                        .timeout(Duration.ofSeconds(kind == Kind.CHAT ? 60 : 30));
                if (account != null) {
                    request.header(TeamScenario.ACCOUNT_HEADER, account);
                }
                if (body == null) {
                    request.POST(HttpRequest.BodyPublishers.noBody());
                } else {
                    request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                }
                HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                status = response.statusCode();
                try (InputStream in = response.body()) {
                    if (status == 200 && hangUpAfterBytes >= 0) {
                        in.readNBytes(hangUpAfterBytes); // then the client goes away, mid-stream
                        answer = "";
                    } else {
                        answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                }
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                answered.incrementAndGet();
            } catch (IOException e) {
                status = -1;
                answer = e.getClass().getSimpleName();
                countUp("io");
                countUp(kind + " io");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(-1, "interrupted", attempt);
            }
            if (status >= 0) {
                countUp(kind + " " + status);
            }
            if (status >= 500) {
                countUp("5xx");
                line(fivexx, kind, Instant.now().toString(), path.replaceAll("[0-9a-f-]{36}", "{id}"), key,
                        Integer.toString(status), problemType(answer), oneLine(answer));
            }
            boolean retry = status == -1 || status == 429 || status == 500 || status == 503;
            if (!retry) {
                return new Outcome(status, answer, attempt);
            }
            if (System.nanoTime() > giveUp) {
                return new Outcome(status, answer, attempt);
            }
            long sleep = retryAfter != null && retryAfter.matches("\\d{1,3}") ? Long.parseLong(retryAfter) * 1000 : pauseMs;
            pauseMs = Math.min(2_000, pauseMs * 2);
            try {
                Thread.sleep(Math.min(sleep, 5_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(-1, "interrupted", attempt);
            }
        }
    }

    /** A read: sent once; its status counted (a 5xx is listed like any other). */
    void read(Kind kind, String auth, String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", auth)
                    .timeout(Duration.ofSeconds(30));
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            answered.incrementAndGet();
            int status = response.statusCode();
            countUp(kind + " " + status);
            if (status >= 500) {
                countUp("5xx");
                line(fivexx, kind, Instant.now().toString(), path, "-", Integer.toString(status),
                        problemType(response.body()), oneLine(response.body()));
            }
        } catch (IOException e) {
            countUp("io");
            countUp(kind + " io");
            pause(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- records

    void finalOutcome(Kind kind, String user, String key, Outcome o) {
        if (o.status == 402 || o.status == 403 || o.status == 409 || o.status == 422 || (kind == Kind.CHAT && (o.status == 502 || o.status == 504))
                || (kind == Kind.GRANT && o.status == 400)) {
            line(refused, kind, user, key, Integer.toString(o.status), problemType(o.body));
        } else {
            line(unknown, kind, user, key, o.status + " after " + o.attempts + " attempts", problemType(o.body));
        }
    }

    void ack(Kind kind, String user, String key, String ref, long amount, String extra) {
        line(acks, kind, user, key, ref, Long.toString(amount), extra);
    }

    static void line(PrintWriter out, Object... fields) {
        StringBuilder sb = new StringBuilder();
        for (Object f : fields) {
            sb.append(sb.length() == 0 ? "" : "\t").append(String.valueOf(f).replace('\t', ' ').replace('\n', ' ').replace('\\', '/'));
        }
        synchronized (out) {
            out.println(sb);
        }
    }

    static String problemType(String body) {
        Matcher m = body == null ? null : TYPE.matcher(body);
        return m != null && m.find() ? m.group(1) : "-";
    }

    static String oneLine(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ");
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** A JSON number or string field of a flat answer (the fields read here are unique in it). */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",}]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + oneLine(json));
        }
        return m.group(1);
    }

    String user(int index) {
        return Long.toString(firstUser + index);
    }

    long count(String name) {
        return counts.computeIfAbsent(name, n -> new LongAdder()).sum();
    }

    void countUp(String name) {
        counts.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    static Thread daemon(Runnable work) {
        Thread t = new Thread(work);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static PrintWriter writer(Path file) throws IOException {
        return new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), false);
    }

    void close(Path summary) throws IOException {
        for (PrintWriter w : List.of(acks, refused, unknown, fivexx, chats, purchases, stripeEvents)) {
            synchronized (w) {
                w.close();
            }
        }
        if (team != null) {
            team.close();
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(counts).forEach((k, v) -> sb.append(k).append('\t').append(v.sum()).append('\n'));
        Files.writeString(summary, sb.toString());
        System.out.printf(Locale.ROOT, "DONE answers=%d%n", answered.get());
    }
}
