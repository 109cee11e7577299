import java.io.IOException;
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
 * is no refund endpoint, an operator refunds by adjustment), and metered chat calls, streamed or
 * not. Every mutation carries an {@code Idempotency-Key} and is retried with the same key and body
 * on I/O errors, timeouts, 429, 500 and 503, for at most {@code --retry-seconds}.
 *
 * <p>What the checks need is written to {@code --out}: {@code acks.tsv} (every mutation answered
 * 2xx: kind, user, ledger key, reference, amount), {@code refused.tsv} (mutations finally refused
 * with 402/409 — nothing may have changed), {@code unknown.tsv} (given up, or a chat call whose
 * retry met its own key: outcome unknown, not checked), {@code fivexx.tsv} (every 5xx answer seen,
 * with its problem type), and {@code summary.txt}. Tokens are never written anywhere.
 */
public class FaultDriver {

    static final String MODEL = "gpt-4o-mini";
    static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
            + "{\"role\":\"user\",\"content\":\"Say hello in five words.\"}]";
    static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"https://tollgate\\.dev/problems/([a-z0-9-]+)\"");

    enum Kind { INIT, BALANCE, PRECHECK, CHARGE, HOLD, SETTLE, RELEASE, ADJUST, REFUND, CHAT }

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
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    final AtomicLong answered = new AtomicLong();

    FaultDriver(Map<String, String> opts, Path out) throws Exception {
        url = LoadDriver.req(opts, "url");
        LoadDriver.Signer signer = new LoadDriver.Signer(opts);
        firstUser = Long.parseLong(LoadDriver.req(opts, "first-user"));
        int accounts = Integer.parseInt(opts.getOrDefault("accounts", "200"));
        retrySeconds = Integer.parseInt(opts.getOrDefault("retry-seconds", "120"));
        chat = Boolean.parseBoolean(opts.getOrDefault("chat", "true"));
        tag = opts.getOrDefault("tag", Long.toString(System.currentTimeMillis(), 36));
        http = LoadDriver.newHttpClient();
        userAuth = LoadDriver.signTokens(signer, firstUser, accounts);
        adminAuth = "Bearer " + signer.token(opts.getOrDefault("admin", "fault-admin"), "admin");
        acks = writer(out.resolve("acks.tsv"));
        refused = writer(out.resolve("refused.tsv"));
        unknown = writer(out.resolve("unknown.tsv"));
        fivexx = writer(out.resolve("fivexx.tsv"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = LoadDriver.options(args);
        Path out = Path.of(LoadDriver.req(opts, "out"));
        Files.createDirectories(out);
        FaultDriver driver = new FaultDriver(opts, out);
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "60"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "16"));
        driver.grants(seed, Integer.parseInt(opts.getOrDefault("setup-clients", "8")));
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
        long[] amounts = new long[userAuth.length];
        for (int i = 0; i < amounts.length; i++) {
            amounts[i] = random.nextInt(5) == 0 ? 1 + random.nextInt(300) : 20_000 + random.nextInt(200_000);
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
        long end = System.nanoTime() + seconds * 1_000_000_000L;
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
    }

    /** One operation of a client, picked by its seeded random. */
    void step(Random random, String id) {
        int user = random.nextInt(userAuth.length);
        String auth = userAuth[user];
        String key = tag + "-" + id;
        int pick = random.nextInt(100);
        if (pick < 12) {
            read(Kind.BALANCE, auth, "GET", "/api/credit/balance", null);
        } else if (pick < 20) {
            read(Kind.PRECHECK, auth, "POST", "/api/credit/pre-check",
                    "{\"model\":\"" + MODEL + "\",\"messages\":" + MESSAGES + ",\"maxOutputTokens\":" + (1 + random.nextInt(2000)) + "}");
        } else if (pick < 45) {
            charge(user, auth, key, random);
        } else if (pick < 65) {
            hold(user, auth, key, random, random.nextInt(10));
        } else if (pick < 73) {
            adjust(user, key, random);
        } else if (chat) {
            chat(user, auth, key, random.nextBoolean());
        } else {
            charge(user, auth, key, random);
        }
    }

    void charge(int user, String auth, String key, Random random) {
        int input = 1 + random.nextInt(5_000);
        int output = random.nextInt(2_000);
        Outcome o = mutate(Kind.CHARGE, auth, "/api/credit/charges", key, "{\"model\":\"" + MODEL
                + "\",\"usage\":{\"uncachedInputTokens\":" + input + ",\"outputTokens\":" + output + "}}");
        if (o.acked()) {
            ack(Kind.CHARGE, user(user), key, field(o.body, "chargeId"), Long.parseLong(field(o.body, "costMillicredits")),
                    field(o.body, "usageId"));
        } else {
            finalOutcome(Kind.CHARGE, user(user), key, o);
        }
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

    void chat(int user, String auth, String key, boolean stream) {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":" + MESSAGES + ",\"max_tokens\":32"
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : "}");
        Outcome o = mutate(Kind.CHAT, auth, "/v1/chat/completions", key, body);
        if (o.acked()) {
            ack(Kind.CHAT, user(user), key, stream ? "stream" : "once", 0,
                    o.body.contains("\"type\":\"provider_error\"") ? "provider-cut" : "complete");
        } else if ((o.status == 502 || o.status == 504) && o.body.contains("\"chargedMillicredits\"")) {
            // The provider took the call and no (whole) answer came: what it may bill was charged.
            ack(Kind.CHAT, user(user), key, stream ? "stream" : "once", 0, "charged-" + o.status);
        } else if (o.status == 409 && o.attempts > 1) {
            // The retry met the key of the first attempt, whose answer was lost: a chat key is used once.
            line(unknown, Kind.CHAT, user(user), key, "409 after " + o.attempts + " attempts");
        } else {
            finalOutcome(Kind.CHAT, user(user), key, o);
        }
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
                if (body == null) {
                    request.POST(HttpRequest.BodyPublishers.noBody());
                } else {
                    request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                answer = response.body();
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
        if (o.status == 402 || o.status == 409 || o.status == 422 || (kind == Kind.CHAT && (o.status == 502 || o.status == 504))) {
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
        for (PrintWriter w : List.of(acks, refused, unknown, fivexx)) {
            synchronized (w) {
                w.close();
            }
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(counts).forEach((k, v) -> sb.append(k).append('\t').append(v.sum()).append('\n'));
        Files.writeString(summary, sb.toString());
        System.out.printf(Locale.ROOT, "DONE answers=%d%n", answered.get());
    }
}
