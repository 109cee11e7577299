import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import dev.tollgate.ledger.LedgerStatements;
import dev.tollgate.membership.TeamPayers;
import dev.tollgate.metering.MeteringStatements;
import dev.tollgate.platform.jdbc.NamedStatement;
import dev.tollgate.ratelimit.PostgresRateLimitStore;
import dev.tollgate.ratelimit.Tier;

/**
 * Load driver of the Tollgate benchmarks: a single source file, run with the packaged application
 * on its class path (its pgbench scripts are built from the application's statement seams):
 *
 * <pre>
 *   java -cp target/quarkus-app/app/tollgate-*.jar bench/LoadDriver.java pgbench-script --out charge.sql
 *   java bench/LoadDriver.java auth-header   --key private.der --sub 3000000 --out header.txt [--groups admin]
 *   java bench/LoadDriver.java series        --url http://127.0.0.1:8080 --key private.der ...
 *   java bench/LoadDriver.java chat          --url http://127.0.0.1:8080 --upstream http://127.0.0.1:9100/v1 --key private.der ...
 *   java bench/LoadDriver.java limiter       --url http://127.0.0.1:8080 --key private.der --mode postgres ...
 * </pre>
 *
 * Tokens are RS256 JWTs signed with a throw-away PKCS#8 key; they are kept in memory (or, for the
 * one curl check, written to a 0600 file) and never printed. Results are printed as
 * {@code RESULT key=value ...} lines on stdout; progress goes to stderr.
 */
public class LoadDriver {

    /** The header that names the account a charge is made on (a team's pool), from the packaged app. */
    static final String ACCOUNT_HEADER = TeamPayers.ACCOUNT_HEADER;

    static final String BODY = "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":100,\"outputTokens\":50}}";

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        Map<String, String> opts = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "pgbench-script" -> pgbenchScript(opts);
            case "auth-header" -> authHeader(opts);
            case "series" -> series(opts);
            case "chat" -> chat(opts);
            case "limiter" -> limiter(opts);
            default -> usage();
        }
    }

    static void usage() {
        System.err.println("usage: java LoadDriver.java pgbench-script|auth-header|series|chat|limiter --option value ...");
        System.exit(2);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options are --name value pairs: " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }

    static String req(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    // ---------------------------------------------------------------- pgbench script of one charge

    /**
     * Writes the pgbench script of one charge: the application's statements, as its seams give them
     * with the names of their placeholders ({@code dev.tollgate.ledger.LedgerStatements},
     * {@code dev.tollgate.metering.MeteringStatements}, {@code PostgresRateLimitStore.acquireStatement}),
     * each placeholder replaced by the pgbench expression of its name. The driver runs with the
     * packaged application on its class path, so these are the statements of the build under test.
     */
    static void pgbenchScript(Map<String, String> opts) throws Exception {
        NamedStatement charge = MeteringStatements.chargeWithUsageRow();
        String chargePg = bind(charge, "MeteringStatements.chargeWithUsageRow", chargeValues());
        String script = """
                -- One charge as the application runs it: generated by bench/LoadDriver.java from the compiled
                -- dev.tollgate.metering.MeteringStatements.chargeWithUsageRow (one statement). Variables (-D): first,
                -- accounts, model, cost, pricing_id, input_tokens, output_tokens, total_tokens, estimated, operation,
                -- request_hash, client_ip, user_agent.
                """ + CHARGE_VARIABLES + chargeTransaction(chargePg);
        Files.writeString(Path.of(req(opts, "out")), script);
        if (opts.containsKey("rate-limited-out")) {
            Files.writeString(Path.of(opts.get("rate-limited-out")), rateLimitedChargeScript(chargePg));
        }
        if (opts.containsKey("metered-out")) {
            Files.writeString(Path.of(opts.get("metered-out")), meteredCallScript());
        }
        if (opts.containsKey("granted-out")) {
            Files.writeString(Path.of(opts.get("granted-out")), grantedChargeScript(chargePg));
        }
    }

    /**
     * One charge on an account whose credits are granted ones: the raw charge, then, since it spent
     * granted credits, the statement that takes them from the account's lots
     * ({@code LedgerStatements.grantSpend}), in the same transaction, as the ledger runs them.
     */
    static String grantedChargeScript(String chargePg) {
        Map<String, String> values = Map.of("now", "now()", "user_id", ":uid", "amount", ":spent_granted",
                "entry_id", ":charged_id");
        String spend = bind(LedgerStatements.grantSpend(), "LedgerStatements.grantSpend", values);
        return """
                -- One charge of granted credits as the application runs it: generated by bench/LoadDriver.java from
                -- MeteringStatements.chargeWithUsageRow and LedgerStatements.grantSpend (two statements). Variables
                -- as the raw script's.
                """ + CHARGE_VARIABLES + "BEGIN;\n" + chargePg + " \\gset charged_\n"
                + "\\set spent_granted -1 * :charged_granted_delta\n"
                + "\\if :spent_granted > 0\n" + spend + ";\n\\endif\nCOMMIT;\n";
    }

    /** The pgbench expression of each value of a charge and its usage row. */
    static Map<String, String> chargeValues() {
        Map<String, String> values = new HashMap<>(auditValues(":operation", ":rid", "NULL"));
        values.putAll(Map.of("cost", ":cost", "unused", ":zero", "request_id", ":rid", "model", ":model",
                "character_id", "NULL", "conversation_id", "NULL", "input_tokens", ":input_tokens",
                "cached_input_tokens", ":zero", "cache_write_tokens", ":zero", "output_tokens", ":output_tokens"));
        values.putAll(Map.of("reasoning_tokens", ":zero", "total_tokens", ":total_tokens", "cost_millicredits", ":cost",
                "estimated", ":estimated", "pricing_id", ":pricing_id"));
        return values;
    }

    /** The pgbench expressions of an audit row's values (and the account's, which every change names). */
    static Map<String, String> auditValues(String operation, String key, String reservation) {
        Map<String, String> values = new HashMap<>();
        values.put("user_id", ":uid");
        values.put("updated_at", "now()");
        values.put("created_at", "now()");
        values.put("now", "now()");
        values.put("unused_third", ":zero");
        values.put("operation", operation);
        values.put("idempotency_key", key);
        values.put("request_hash", ":request_hash");
        values.put("usage_id", "NULL");
        values.put("reservation_id", reservation);
        values.put("actor", "'user:' || CAST(:uid AS text)");
        values.put("client_ip", ":client_ip");
        values.put("user_agent", ":user_agent");
        values.put("metadata", "NULL");
        values.put("member_id", "NULL");
        return values;
    }

    /** A reservation id derived from the request id, so that the call's statements name one hold without a round trip. */
    static final String RESERVATION = "CAST(md5(CAST(:rid AS text)) AS uuid)";

    /**
     * The SQL floor of one metered chat call: the two transactions {@code POST /v1/chat/completions}
     * commits around the upstream call, with nothing else: the hold (the account read, the
     * reservation row, the HOLD change) and the settle (the claim of the hold, the usage row, the
     * SETTLE change, the settled amount). The account read is Hibernate's, copied here; the rest are
     * the application's statements from its seams.
     */
    static String meteredCallScript() {
        Map<String, String> hold = auditValues("'HOLD'", ":rid", RESERVATION);
        hold.putAll(Map.of("id", RESERVATION, "amount", ":hold", "unused", ":zero", "amount_millicredits", ":hold",
                "model", ":model", "expires_at", "now() + interval '10 minutes'"));
        hold.putAll(Map.of("prompt_tokens", ":input_tokens", "max_output_tokens", ":output_tokens", "character_id", "NULL",
                "conversation_id", "NULL", "charged_at_expiry", "true"));
        // Ledger.settleKey; pgbench would read ":settle" in a literal as a variable, hence chr(58).
        String settleKey = "'tollgate' || chr(58) || 'settle' || chr(58) || CAST(" + RESERVATION + " AS text)";
        Map<String, String> settle = auditValues("'SETTLE'", settleKey, RESERVATION);
        settle.putAll(chargeValues());
        settle.putAll(Map.of("operation", "'SETTLE'", "idempotency_key", settleKey,
                "reservation_id", RESERVATION, "id", RESERVATION, "status", "'SETTLED'", "resolved_at", "now()",
                "settled_millicredits", "0", "held", ":held_amount_millicredits", "usage_id", ":usage_id"));
        Map<String, String> settled = Map.of("settled_millicredits", ":cost", "id", RESERVATION);
        return """
                -- One metered chat call's SQL, as the application commits it around the upstream call:
                -- generated by bench/LoadDriver.java (meteredCallScript). Variables (-D): first, accounts, model,
                -- cost, hold, pricing_id, input_tokens, output_tokens, total_tokens, estimated, request_hash,
                -- client_ip, user_agent.
                \\set uid :first + random(0, :accounts - 1)
                \\set rid :client_id * 100000000000000 + random(1, 99999999999999)
                \\set zero 0
                BEGIN;
                SELECT user_id, plan, monthly_millicredits, purchased_millicredits, reserved_millicredits, period_start,
                       created_at, updated_at FROM credit_account WHERE user_id = CAST(:uid AS text);
                %s;
                %s;
                COMMIT;
                BEGIN;
                %s \\gset held_
                %s \\gset usage_
                %s;
                %s;
                COMMIT;
                """.formatted(
                bind(LedgerStatements.holdInsert(), "LedgerStatements.holdInsert", hold),
                bind(LedgerStatements.change("HOLD"), "LedgerStatements.change(HOLD)", hold),
                bind(LedgerStatements.holdClaim(), "LedgerStatements.holdClaim", settle),
                bind(MeteringStatements.usageInsert(), "MeteringStatements.usageInsert", settle),
                bind(LedgerStatements.change("SETTLE"), "LedgerStatements.change(SETTLE)", settle),
                bind(LedgerStatements.settledAmount(), "LedgerStatements.settledAmount", settled));
    }

    /**
     * All the SQL of one charge request: the rate-limit check the app makes first (in autocommit,
     * on the caller's bucket in the charge's tier, which the compiled {@code Tier} names), then the
     * charge transaction. Variables (-D) as for the charge, plus rl_interval and rl_period
     * (microseconds) of that tier; the bench gives every tier the same limit and period
     * (lib/common.sh).
     */
    static String rateLimitedChargeScript(String chargePg) {
        String tier = Tier.of("POST", "/api/credit/charges").key();
        if (tier == null || !tier.matches("[a-z]+")) {
            throw new IllegalStateException("unexpected tier key '" + tier + "' of a charge; update bench/LoadDriver.java");
        }
        // The key is Caller.bucketKey: "<tier>|u:<user id>".
        String acquirePg = bind(PostgresRateLimitStore.acquireStatement(), "PostgresRateLimitStore.acquireStatement",
                Map.of("bucket_key", "'" + tier + "|u:' || CAST(:uid AS text)", "interval", ":rl_interval", "period",
                        ":rl_period"));
        return """
                -- One charge request's SQL as the application runs it: the rate-limit check (autocommit) on the
                -- caller's bucket in the charge's tier (%s), then the charge. Generated by bench/LoadDriver.java
                -- from the compiled PostgresRateLimitStore.acquireStatement and Tier, and the charge of the raw script.
                """.formatted(tier) + CHARGE_VARIABLES + acquirePg + ";\n" + chargeTransaction(chargePg);
    }

    /** The pgbench variables of a charge: a random account of the range, a unique request id, zero. */
    static final String CHARGE_VARIABLES = """
            \\set uid :first + random(0, :accounts - 1)
            \\set rid :client_id * 100000000000000 + random(1, 99999999999999)
            \\set zero 0
            """;

    /** The charge statement in its own transaction, as the app runs it. */
    static String chargeTransaction(String chargePg) {
        return "BEGIN;\n" + chargePg + ";\nCOMMIT;\n";
    }

    /**
     * Replaces the {@code ?} placeholders of a statement, in order, by the given pgbench expressions.
     * A {@code ::} cast is fine (pgbench leaves it alone); any other colon, semicolon, quote or
     * backslash in the statement is refused, since pgbench would read it differently.
     */
    /**
     * The statement with each placeholder replaced by the pgbench expression of its name. Refuses a
     * statement pgbench would read differently (a colon that is not a cast, a semicolon, a
     * backslash) and a name without an expression.
     */
    static String bind(NamedStatement statement, String name, Map<String, String> values) {
        String sql = statement.sql();
        if (sql.replace("::", "").indexOf(':') >= 0 || sql.indexOf(';') >= 0 || sql.indexOf('\\') >= 0) {
            throw new IllegalStateException(name + " has characters that pgbench would read differently; update the bench");
        }
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (char ch : sql.toCharArray()) {
            if (ch != '?') {
                out.append(ch);
                continue;
            }
            String parameter = statement.parameters().get(next++);
            String value = values.get(parameter);
            if (value == null) {
                throw new IllegalStateException(name + " binds " + parameter + ", which the bench has no value for;"
                        + " update bench/LoadDriver.java");
            }
            out.append(value);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- tokens

    static final class Signer {
        final PrivateKey key;
        final String issuer;
        final String audience;

        Signer(Map<String, String> opts) throws Exception {
            byte[] der = Files.readAllBytes(Path.of(req(opts, "key")));
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            issuer = opts.getOrDefault("issuer", "tollgate-bench");
            audience = opts.getOrDefault("audience", "tollgate");
        }

        String token(String subject) {
            return token(subject, "user");
        }

        /** A token of the subject with these roles (the {@code groups} claim; plain names only). */
        String token(String subject, String... groups) {
            try {
                Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
                long now = System.currentTimeMillis() / 1000;
                String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
                String roles = "\"" + String.join("\",\"", groups) + "\"";
                String claims = "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"%s\",\"typ\":\"Bearer\",\"groups\":[%s],\"iat\":%d,\"exp\":%d}"
                        .formatted(issuer, audience, subject, roles, now, now + 3600);
                String payload = b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
                Signature rs256 = Signature.getInstance("SHA256withRSA");
                rs256.initSign(key);
                rs256.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
                return header + "." + payload + "." + b64.encodeToString(rs256.sign());
            } catch (Exception e) {
                throw new IllegalStateException("token could not be signed", e);
            }
        }
    }

    /** Writes {@code Authorization: Bearer ...} to a 0600 file, for {@code curl -H @file}. */
    static void authHeader(Map<String, String> opts) throws Exception {
        Signer signer = new Signer(opts);
        Path out = Path.of(req(opts, "out"));
        Files.deleteIfExists(out);
        Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(out, "Authorization: Bearer " + signer.token(req(opts, "sub"),
                opts.getOrDefault("groups", "user").split(",")) + "\n");
    }

    // ---------------------------------------------------------------- HTTP series

    static final class Stats {
        /** incomplete: 2xx answers whose body was cut short or carried an error (chat). */
        long ok, s402, s4xx, s5xx, other, io, replayed, incomplete;
        /** Open loop only: requests sent, arrivals dropped (too many in flight), the scheduler's worst lateness. */
        long sent, dropped, sendLagMaxNanos;
        double elapsedSeconds;
        long[] latencies = new long[1024];
        int n;

        void latency(long nanos) {
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = nanos;
        }

        /** Counts a status that is not 2xx. */
        void failed(int status) {
            if (status == 402) {
                s402++;
            } else if (status >= 400 && status < 500) {
                s4xx++;
            } else if (status >= 500) {
                s5xx++;
            } else {
                other++;
            }
        }

        long[] sortedLatencies() {
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            return sorted;
        }

        /** Answers with a 2xx status, complete or not. */
        long answered2xx() {
            return ok + incomplete;
        }

        void add(Stats o) {
            ok += o.ok;
            s402 += o.s402;
            s4xx += o.s4xx;
            s5xx += o.s5xx;
            other += o.other;
            io += o.io;
            replayed += o.replayed;
            incomplete += o.incomplete;
            for (int i = 0; i < o.n; i++) {
                latency(o.latencies[i]);
            }
        }
    }

    /** The JDK client of every run: HTTP/1.1 (keep-alive), two threads for its own work. */
    static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(2, daemon("http-client")))
                .build();
    }

    /** {@code Authorization} values of users firstUser .. firstUser+count-1: signed once, kept in memory only. */
    static String[] signTokens(Signer signer, long firstUser, int count) {
        long t0 = System.nanoTime();
        String[] auths = IntStream.range(0, count).parallel().mapToObj(i -> "Bearer " + signer.token(Long.toString(firstUser + i)))
                .toArray(String[]::new);
        log("signed %d tokens in %.1f s", count, (System.nanoTime() - t0) / 1e9);
        return auths;
    }

    /**
     * Opens every account the way a user does: one {@code GET /api/credit/balance} each. Prints an
     * {@code OPENED} line; fails unless every one answered 200.
     */
    static void openAccounts(HttpClient http, String url, List<String> auths, int concurrency) throws InterruptedException {
        long t0 = System.nanoTime();
        AtomicLong opened = new AtomicLong();
        Map<Integer, AtomicLong> openStatuses = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("open"));
        for (String auth : auths) {
            pool.submit(() -> {
                int status;
                try {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/credit/balance"))
                            .header("Authorization", auth).timeout(Duration.ofSeconds(30)).GET().build();
                    status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException e) {
                    status = -1;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    status = -2;
                }
                openStatuses.computeIfAbsent(status, st -> new AtomicLong()).incrementAndGet();
                if (status == 200) {
                    opened.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("opening accounts did not finish");
        }
        System.out.printf(Locale.ROOT, "OPENED accounts=%d ok=%d seconds=%.1f statuses=%s%n", auths.size(), opened.get(),
                (System.nanoTime() - t0) / 1e9, statusString(openStatuses));
        if (opened.get() != auths.size()) {
            throw new IllegalStateException("not every account could be opened: " + statusString(openStatuses));
        }
    }

    static void series(Map<String, String> opts) throws Exception {
        String url = req(opts, "url");
        Signer signer = new Signer(opts);
        String hotUser = req(opts, "hot-user");
        long firstUser = Long.parseLong(req(opts, "first-user"));
        int accounts = Integer.parseInt(opts.getOrDefault("accounts", "10000"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int[] clients = Arrays.stream(opts.getOrDefault("clients", "1,8,32,64").split("[, ]+")).mapToInt(Integer::parseInt).toArray();
        List<String> variants = List.of(opts.getOrDefault("variants", "hot,spread").split(","));
        int openConcurrency = Integer.parseInt(opts.getOrDefault("open-concurrency", "64"));
        int warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup-seconds", "5"));
        String beforeEach = opts.get("before-each");
        String afterEach = opts.get("after-each");
        progress = Boolean.parseBoolean(opts.getOrDefault("progress", "false"));
        boolean plain = switch (opts.getOrDefault("client", "plain")) {
            case "plain" -> true;
            case "jdk" -> false;
            default -> throw new IllegalArgumentException("--client is plain or jdk");
        };
        int maxClients = Math.max(16, Arrays.stream(clients).max().orElse(1));

        HttpClient http = newHttpClient();
        String[] spreadAuth = signTokens(signer, firstUser, accounts);
        String hotAuth = "Bearer " + signer.token(hotUser);
        List<String> allAuth = new ArrayList<>(Arrays.asList(spreadAuth));
        allAuth.add(hotAuth);
        openAccounts(http, url, allAuth, openConcurrency);
        // The pool variant: one team, owned by the hot user, whose members are the first spread
        // users, one per client; client i charges the pool as member i with its own token.
        String poolAccount = null;
        int poolMembers = Arrays.stream(clients).max().orElse(1);
        if (variants.contains("pool")) {
            if (poolMembers > accounts) {
                throw new IllegalArgumentException("the pool needs " + poolMembers + " members, more than the " + accounts + " accounts");
            }
            poolAccount = createTeam(http, url, hotAuth, firstUser, poolMembers);
        }

        long totalOk = 0;
        long poolOk = 0;
        String runTag = Long.toString(System.currentTimeMillis(), 36);
        if (warmupSeconds > 0) {
            Stats warm = run(16, warmupSeconds, "charge warm-up", plain ? plainChargeCall(url, spreadAuth, runTag + "w", maxClients)
                    : chargeCall(http, url, spreadAuth, runTag + "w"));
            totalOk += warm.ok;
            log("charge warm-up: %d charges in %d s at 16 clients (%d not 2xx)", warm.ok, warmupSeconds,
                    warm.s402 + warm.s4xx + warm.s5xx + warm.other + warm.io);
        }
        if (warmupSeconds > 0 && poolAccount != null) {
            // The pool's own path (the header, the membership, the member's row) is compiled before
            // its first measured run, as the personal path is by the warm-up above.
            int poolWarmup = Math.max(1, warmupSeconds / 3);
            String[] memberAuths = Arrays.copyOf(spreadAuth, poolMembers);
            Stats warm = run(16, poolWarmup, "pool warm-up", plain ? plainChargeCall(url, memberAuths, poolAccount, runTag + "p", maxClients)
                    : chargeCall(http, url, memberAuths, poolAccount, runTag + "p"));
            totalOk += warm.ok;
            poolOk += warm.ok;
            log("pool warm-up: %d charges in %d s at 16 clients (%d not 2xx)", warm.ok, poolWarmup,
                    warm.s402 + warm.s4xx + warm.s5xx + warm.other + warm.io);
        }
        int runNo = 0;
        for (String variant : variants) {
            String[] auths = variant.equals("hot") ? new String[] { hotAuth } : spreadAuth;
            String account = variant.equals("pool") ? poolAccount : null;
            for (int c : clients) {
                // The hook learns which run comes next (charge-bench.sh runs the raw SQL of the same
                // accounts and client count there, right before it).
                String before = hook(beforeEach, Map.of("BENCH_NEXT_VARIANT", variant, "BENCH_NEXT_CLIENTS", Integer.toString(c)));
                long start = System.nanoTime();
                long cpuBefore = processCpuNanos();
                String tag = runTag + "r" + (runNo++);
                Stats s = run(c, seconds, "http " + variant, plain ? plainChargeCall(url, auths, account, tag, maxClients)
                        : chargeCall(http, url, auths, account, tag));
                long driverCpuMs = (processCpuNanos() - cpuBefore) / 1_000_000;
                String after = hook(afterEach);
                double elapsed = s.elapsedSeconds;
                totalOk += s.ok;
                if (account != null) {
                    poolOk += s.ok;
                }
                long[] lat = s.sortedLatencies();
                System.out.printf(Locale.ROOT,
                        "RESULT scenario=http variant=%s clients=%d before=%s after=%s driver_cpu_ms=%d seconds=%.2f ok=%d s402=%d s4xx=%d s5xx=%d other=%d io=%d replayed=%d tps=%.1f p50=%.2f p99=%.2f mean=%.2f%n",
                        variant, c, before, after, driverCpuMs, elapsed, s.ok, s.s402, s.s4xx, s.s5xx, s.other, s.io, s.replayed, s.ok / elapsed,
                        pct(lat, 0.50), pct(lat, 0.99), mean(lat));
                log("http %s c=%d: %.0f charges/s (%.1f s wall)", variant, c, s.ok / elapsed, (System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf(Locale.ROOT, "TOTAL charged=%d pool=%d%n", totalOk, poolOk);
    }

    /**
     * Creates the bench's team through the API: owned by the caller of {@code ownerAuth}, with the
     * users firstUser .. firstUser+members-1 as members without a cap. Under a fixed idempotency key,
     * so that a second series on the same database (the app restarted with group commit off) gets
     * the same team back. Prints a {@code POOL} line; returns the pool's account, team:&lt;id&gt;.
     */
    static String createTeam(HttpClient http, String url, String ownerAuth, long firstUser, int members) throws Exception {
        StringBuilder body = new StringBuilder("{\"name\":\"bench pool\",\"members\":[");
        for (int i = 0; i < members; i++) {
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(firstUser + i).append("\"}");
        }
        body.append("]}");
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/teams"))
                .header("Authorization", ownerAuth).header("Idempotency-Key", "bench-pool-" + members)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher account = java.util.regex.Pattern.compile("\"account\"\\s*:\\s*\"(team:[0-9a-f-]{36})\"")
                .matcher(response.body());
        if (response.statusCode() != 201 || !account.find()) {
            throw new IllegalStateException("POST /api/teams answered " + response.statusCode() + ": " + response.body());
        }
        System.out.printf(Locale.ROOT, "POOL account=%s members=%d%n", account.group(1), members);
        return account.group(1);
    }

    // ---------------------------------------------------------------- rate-limiter benchmark

    /**
     * The rate limiter's cost: the same calls — {@code GET /api/credit/balance} (a read, tier
     * general) and {@code POST /api/credit/charges} (tier messages) — on an app whose limiter is
     * off, in memory or in PostgreSQL (the script restarts the app per mode; limits far above the
     * load, so nothing is refused). Prints {@code RESULT scenario=limiter mode=.. endpoint=..} lines.
     */
    static void limiter(Map<String, String> opts) throws Exception {
        String url = req(opts, "url");
        String mode = req(opts, "mode");
        Signer signer = new Signer(opts);
        long firstUser = Long.parseLong(req(opts, "first-user"));
        int accounts = Integer.parseInt(opts.getOrDefault("accounts", "1000"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int[] clients = Arrays.stream(opts.getOrDefault("clients", "1,16").split("[, ]+")).mapToInt(Integer::parseInt).toArray();
        List<String> endpoints = List.of(opts.getOrDefault("endpoints", "balance,charge").split(","));
        int warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup-seconds", "30"));
        String beforeEach = opts.get("before-each");
        String afterEach = opts.get("after-each");
        progress = Boolean.parseBoolean(opts.getOrDefault("progress", "false"));

        HttpClient http = newHttpClient();
        String[] auths = signTokens(signer, firstUser, accounts);
        openAccounts(http, url, Arrays.asList(auths), 32);
        String runTag = mode + Long.toString(System.currentTimeMillis(), 36);
        if (warmupSeconds > 0) {
            Stats warm = run(16, warmupSeconds / 2, "balance warm-up", balanceCall(http, url, auths));
            Stats warmCharges = run(16, warmupSeconds - warmupSeconds / 2, "charge warm-up", chargeCall(http, url, auths, runTag + "w"));
            log("limiter warm-up (%s): %d reads, %d charges", mode, warm.ok, warmCharges.ok);
        }
        int runNo = 0;
        for (String endpoint : endpoints) {
            for (int c : clients) {
                Call call = endpoint.equals("balance") ? balanceCall(http, url, auths)
                        : chargeCall(http, url, auths, runTag + "r" + (runNo++));
                String before = hook(beforeEach);
                long cpuBefore = processCpuNanos();
                Stats s = run(c, seconds, "limiter " + mode + " " + endpoint, call);
                long driverCpuMs = (processCpuNanos() - cpuBefore) / 1_000_000;
                String after = hook(afterEach);
                long[] lat = s.sortedLatencies();
                System.out.printf(Locale.ROOT,
                        "RESULT scenario=limiter mode=%s endpoint=%s clients=%d before=%s after=%s driver_cpu_ms=%d seconds=%.2f ok=%d s402=%d s4xx=%d s5xx=%d other=%d io=%d replayed=%d tps=%.1f p50=%.3f p99=%.3f mean=%.3f%n",
                        mode, endpoint, c, before, after, driverCpuMs, s.elapsedSeconds, s.ok, s.s402, s.s4xx, s.s5xx, s.other, s.io,
                        s.replayed, s.ok / s.elapsedSeconds, pct(lat, 0.50), pct(lat, 0.99), mean(lat));
                log("limiter %s %s c=%d: %.0f req/s", mode, endpoint, c, s.ok / s.elapsedSeconds);
            }
        }
    }

    /** {@code GET /api/credit/balance} of a random user; a 429 counts as a 4xx (there must be none). */
    static Call balanceCall(HttpClient http, String url, String[] auths) {
        URI uri = URI.create(url + "/api/credit/balance");
        return (id, seq, random, s) -> {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Authorization", auths.length == 1 ? auths[0] : auths[random.nextInt(auths.length)])
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                return true;
            }
            s.failed(status);
            return false;
        };
    }

    // ---------------------------------------------------------------- chat benchmark

    static final String CHAT_MESSAGES = "\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
            + "{\"role\":\"user\",\"content\":\"Say hello in five words.\"}],\"max_tokens\":32";
    static final String CHAT_BODY = "{\"model\":\"gpt-4o-mini\"," + CHAT_MESSAGES + "}";
    static final String CHAT_STREAM_BODY = "{\"model\":\"gpt-4o-mini\"," + CHAT_MESSAGES
            + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    static final String SSE_END = "data: [DONE]\n\n";

    /** Clients of the warm-up, of the capacity probe, and the fewest whose closed-loop throughput counts as capacity. */
    static final int CAPACITY_CLIENTS = 16;

    /**
     * What one chat answer was: its status and, for a 2xx, whether its body was whole (a stream to
     * its {@code data: [DONE]}, with usage and no error event).
     */
    record ChatAnswer(int status, boolean complete) {

        static ChatAnswer of(HttpResponse<String> response, boolean stream) {
            int status = response.statusCode();
            return new ChatAnswer(status, is2xx(status) && completeChat(response.body(), stream));
        }

        /** Counts a failed answer in {@code s}; true for a complete 2xx answer, whose latency the caller records. */
        boolean countedAsSuccess(Stats s) {
            if (!is2xx(status)) {
                s.failed(status);
                return false;
            }
            if (!complete) {
                s.incomplete++;
                return false;
            }
            return true;
        }
    }

    static boolean is2xx(int status) {
        return status >= 200 && status < 300;
    }

    /** One of the tokens, at random when there are several. */
    static String pick(String[] auths, ThreadLocalRandom random) {
        return auths.length == 1 ? auths[0] : auths[random.nextInt(auths.length)];
    }

    /**
     * A chat completion, the same request either straight to the upstream ({@code direct}) or
     * through {@code POST /v1/chat/completions}; the whole answer is read (a stream to its
     * {@code data: [DONE]}). A 2xx answer that is cut short or carries an error event counts as
     * incomplete.
     */
    static Call chatCall(HttpClient http, URI uri, String[] auths, boolean stream) {
        String body = stream ? CHAT_STREAM_BODY : CHAT_BODY;
        return (id, seq, random, s) -> ChatAnswer.of(http.send(chatRequest(uri, pick(auths, random), body, stream),
                HttpResponse.BodyHandlers.ofString()), stream).countedAsSuccess(s);
    }

    /** The same chat completion, sent without waiting: the future completes once the whole answer was read. */
    static OpenCall openChatCall(HttpClient http, URI uri, String[] auths, boolean stream) {
        String body = stream ? CHAT_STREAM_BODY : CHAT_BODY;
        return random -> http.sendAsync(chatRequest(uri, pick(auths, random), body, stream), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> ChatAnswer.of(response, stream));
    }

    static HttpRequest chatRequest(URI uri, String auth, String body, boolean stream) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static boolean completeChat(String body, boolean stream) {
        if (stream) {
            return body.endsWith(SSE_END) && body.contains("\"usage\":{") && !body.contains("data: {\"error\"");
        }
        return body.startsWith("{") && body.contains("\"choices\":[{") && body.contains("\"usage\":{");
    }

    /**
     * The chat benchmark: one probe of each kind of call, a warm-up, then closed-loop runs (for
     * every stream mode and client count, one run straight to the upstream and one through
     * Tollgate, back to back) and/or open-loop runs (for every stream mode and arrival rate, the
     * same pair). Prints {@code PROBE}, {@code WARMUP}, {@code RESULT loop=closed|open},
     * {@code CAPACITY} and a final {@code TOTAL tollgate_2xx=N} line: every 2xx answer of Tollgate
     * (probes, warm-ups and capacity probes included), to be compared with the usage rows and SETTLE
     * entries in the database.
     *
     * <p>{@code --loop closed|open|both} (closed). Open-loop rates: {@code --rates R1,R2} (requests
     * per second, for every stream mode), or else {@code --open-fraction F} (1/3) of the capacity of
     * each stream mode measured in this run: Tollgate's closed-loop throughput at the highest client
     * count, if that is at least {@link #CAPACITY_CLIENTS}, otherwise a closed-loop probe of
     * {@code --capacity-seconds} (5) at {@link #CAPACITY_CLIENTS} clients. {@code --max-outstanding}
     * (1024): requests in flight before an arrival is dropped.
     */
    static void chat(Map<String, String> opts) throws Exception {
        String loop = opts.getOrDefault("loop", "closed");
        if (!List.of("closed", "open", "both").contains(loop)) {
            throw new IllegalArgumentException("--loop is closed, open or both: " + loop);
        }
        int[] clients = Arrays.stream(opts.getOrDefault("clients", "1,16,64").split("[, ]+")).mapToInt(Integer::parseInt).toArray();
        List<Double> givenRates = opts.containsKey("rates")
                ? Arrays.stream(opts.get("rates").split("[, ]+")).map(Double::valueOf).toList() : List.of();
        if (givenRates.stream().anyMatch(r -> !(r > 0))) {
            throw new IllegalArgumentException("--rates are requests per second > 0: " + givenRates);
        }
        double openFraction = fraction(opts.getOrDefault("open-fraction", "1/3"));
        int capacitySeconds = Integer.parseInt(opts.getOrDefault("capacity-seconds", "5"));
        int maxOutstanding = Integer.parseInt(opts.getOrDefault("max-outstanding", "1024"));
        progress = Boolean.parseBoolean(opts.getOrDefault("progress", "false"));

        ChatBench bench = new ChatBench(opts);
        bench.probeEachKind();
        bench.warmUp(Integer.parseInt(opts.getOrDefault("warmup-seconds", "90")));
        Map<Boolean, Double> capacity = loop.equals("open") ? new HashMap<>() : bench.closedRuns(clients);
        if (!loop.equals("closed")) {
            for (boolean stream : bench.streams) {
                List<Double> rates = givenRates;
                if (rates.isEmpty()) {
                    if (!capacity.containsKey(stream)) {
                        capacity.put(stream, bench.capacityProbe(stream, capacitySeconds));
                    }
                    rates = List.of(openFraction * capacity.get(stream));
                }
                bench.openRuns(stream, rates, maxOutstanding);
            }
        }
        bench.printTotal();
    }

    /** A fraction written {@code a/b} or as a decimal, > 0. */
    static double fraction(String text) {
        String[] parts = text.trim().split("/");
        double value = parts.length == 2 ? Double.parseDouble(parts[0]) / Double.parseDouble(parts[1])
                : parts.length == 1 ? Double.parseDouble(parts[0]) : Double.NaN;
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("a fraction is a/b or a decimal > 0: " + text);
        }
        return value;
    }

    /** The chat benchmark's calls and counters: the users' tokens, both targets, the 2xx answers so far. */
    static final class ChatBench {
        static final List<String> MODES = List.of("direct", "tollgate");

        final HttpClient http = newHttpClient();
        final URI tollgateUri;
        final URI directUri;
        final String[] userAuth;
        final String[] directAuth;
        final List<Boolean> streams;
        final int seconds;
        final int runWarmupSeconds;
        final String beforeEach;
        final String snapshot;
        long tollgate2xx;
        long direct2xx;

        ChatBench(Map<String, String> opts) throws Exception {
            tollgateUri = URI.create(req(opts, "url") + "/v1/chat/completions");
            directUri = URI.create(req(opts, "upstream") + "/chat/completions");
            directAuth = new String[] { "Bearer " + opts.getOrDefault("upstream-key", "bench") };
            streams = Arrays.stream(opts.getOrDefault("streams", "no,yes").split("[, ]+")).map(v -> switch (v) {
                case "no" -> false;
                case "yes" -> true;
                default -> throw new IllegalArgumentException("--streams takes no and/or yes: " + v);
            }).toList();
            seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
            runWarmupSeconds = Integer.parseInt(opts.getOrDefault("run-warmup-seconds", "2"));
            beforeEach = opts.get("before-each");
            snapshot = opts.get("snapshot");
            userAuth = signTokens(new Signer(opts), Long.parseLong(req(opts, "first-user")),
                    Integer.parseInt(opts.getOrDefault("accounts", "1000")));
            openAccounts(http, req(opts, "url"), Arrays.asList(userAuth), Integer.parseInt(opts.getOrDefault("open-concurrency", "64")));
        }

        Call closedCall(String mode, boolean stream) {
            return mode.equals("tollgate") ? chatCall(http, tollgateUri, userAuth, stream) : chatCall(http, directUri, directAuth, stream);
        }

        OpenCall openCall(String mode, boolean stream) {
            return mode.equals("tollgate") ? openChatCall(http, tollgateUri, userAuth, stream)
                    : openChatCall(http, directUri, directAuth, stream);
        }

        /** Adds the run's 2xx answers, complete or not, to its target's count. */
        void count2xx(String mode, Stats s) {
            if (mode.equals("tollgate")) {
                tollgate2xx += s.answered2xx();
            } else {
                direct2xx += s.answered2xx();
            }
        }

        /** One call of each kind first: a clear message, and exit 3, instead of a run full of errors. */
        void probeEachKind() throws IOException, InterruptedException {
            for (String mode : MODES) {
                boolean tollgate = mode.equals("tollgate");
                for (boolean stream : streams) {
                    HttpResponse<String> response = http.send(chatRequest(tollgate ? tollgateUri : directUri,
                            tollgate ? userAuth[0] : directAuth[0], stream ? CHAT_STREAM_BODY : CHAT_BODY, stream),
                            HttpResponse.BodyHandlers.ofString());
                    ChatAnswer answer = ChatAnswer.of(response, stream);
                    Stats one = new Stats();
                    if (answer.countedAsSuccess(one)) {
                        one.ok++;
                    }
                    count2xx(mode, one);
                    System.out.printf(Locale.ROOT, "PROBE mode=%s stream=%s status=%d complete=%s content_type=%s%n", mode,
                            yesNo(stream), answer.status(), answer.complete(), response.headers().firstValue("Content-Type").orElse("-"));
                    if (!answer.complete()) {
                        String body = response.body();
                        log("%s stream=%s answered %d: %s", mode, yesNo(stream), answer.status(),
                                body.length() > 500 ? body.substring(0, 500) + "..." : body);
                        printTotal();
                        System.exit(3);
                    }
                }
            }
        }

        /** Warm-up of all kinds at {@link #CAPACITY_CLIENTS} clients: most of it for Tollgate, whose JIT needs it on 2 cores. */
        void warmUp(int warmupSeconds) throws InterruptedException {
            if (warmupSeconds <= 0) {
                return;
            }
            for (String mode : MODES) {
                for (boolean stream : streams) {
                    int share = Math.max(1, (int) Math.round(warmupSeconds * (mode.equals("tollgate") ? 0.4 : 0.1) * 2 / streams.size()));
                    Stats warm = run(CAPACITY_CLIENTS, share, "warm-up " + mode, closedCall(mode, stream));
                    count2xx(mode, warm);
                    System.out.printf(Locale.ROOT, "WARMUP mode=%s stream=%s clients=%d seconds=%d ok=%d failed=%d%n", mode,
                            yesNo(stream), CAPACITY_CLIENTS, share, warm.ok, failures(warm));
                }
            }
        }

        /**
         * The closed-loop runs; answers the capacity of each stream mode they measured: Tollgate's
         * throughput at the highest client count, if that is at least {@link #CAPACITY_CLIENTS}.
         */
        Map<Boolean, Double> closedRuns(int[] clients) throws IOException, InterruptedException {
            int highest = Arrays.stream(clients).max().orElse(0);
            Map<Boolean, Double> capacity = new HashMap<>();
            for (boolean stream : streams) {
                for (int c : clients) {
                    for (String mode : MODES) {
                        Stats s = closedRun(mode, stream, c);
                        if (mode.equals("tollgate") && c == highest && c >= CAPACITY_CLIENTS) {
                            capacity.put(stream, s.ok / s.elapsedSeconds);
                            printCapacity(stream, "closed", c, s);
                        }
                    }
                }
            }
            return capacity;
        }

        Stats closedRun(String mode, boolean stream, int c) throws IOException, InterruptedException {
            Call call = closedCall(mode, stream);
            String busy = hook(beforeEach);
            if (runWarmupSeconds > 0) {
                count2xx(mode, run(c, runWarmupSeconds, "warm-up " + mode, call));
            }
            long start = System.nanoTime();
            String before = hook(snapshot);
            long cpuBefore = processCpuNanos();
            Stats s = run(c, seconds, mode, call);
            long driverCpuMs = (processCpuNanos() - cpuBefore) / 1_000_000;
            String after = hook(snapshot);
            count2xx(mode, s);
            double elapsed = s.elapsedSeconds;
            long[] lat = s.sortedLatencies();
            System.out.printf(Locale.ROOT,
                    "RESULT loop=closed mode=%s stream=%s clients=%d busy=%s before=%s after=%s driver_cpu_ms=%d seconds=%.2f ok=%d s4xx=%d s5xx=%d other=%d io=%d incomplete=%d rps=%.1f p50=%.2f p90=%.2f p99=%.2f max=%.2f mean=%.2f%n",
                    mode, yesNo(stream), c, busy, before, after, driverCpuMs, elapsed, s.ok, s.s402 + s.s4xx, s.s5xx,
                    s.other, s.io, s.incomplete, s.ok / elapsed, pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), pct(lat, 1.0), mean(lat));
            log("%-8s stream=%-3s c=%-2d: %6.0f req/s  p50 %6.2f ms  p99 %7.2f ms  failed %d  (%.1f s wall)", mode,
                    yesNo(stream), c, s.ok / elapsed, pct(lat, 0.50), pct(lat, 0.99), failures(s), (System.nanoTime() - start) / 1e9);
            return s;
        }

        /** Tollgate's closed-loop throughput at {@link #CAPACITY_CLIENTS} clients, after its idle wait and warm-up. */
        double capacityProbe(boolean stream, int probeSeconds) throws IOException, InterruptedException {
            Call call = closedCall("tollgate", stream);
            hook(beforeEach);
            if (runWarmupSeconds > 0) {
                count2xx("tollgate", run(CAPACITY_CLIENTS, runWarmupSeconds, "warm-up capacity", call));
            }
            Stats s = run(CAPACITY_CLIENTS, probeSeconds, "capacity", call);
            count2xx("tollgate", s);
            printCapacity(stream, "probe", CAPACITY_CLIENTS, s);
            return s.ok / s.elapsedSeconds;
        }

        void printCapacity(boolean stream, String source, int c, Stats s) {
            System.out.printf(Locale.ROOT, "CAPACITY stream=%s source=%s clients=%d seconds=%.2f ok=%d failed=%d rps=%.1f%n",
                    yesNo(stream), source, c, s.elapsedSeconds, s.ok, failures(s), s.ok / s.elapsedSeconds);
        }

        /** The open-loop runs of one stream mode: per rate, direct then Tollgate. */
        void openRuns(boolean stream, List<Double> rates, int maxOutstanding) throws IOException, InterruptedException {
            for (double rate : rates) {
                for (String mode : MODES) {
                    openRun(mode, stream, rate, maxOutstanding);
                }
            }
        }

        void openRun(String mode, boolean stream, double rate, int maxOutstanding) throws IOException, InterruptedException {
            OpenCall call = openCall(mode, stream);
            String busy = hook(beforeEach);
            if (runWarmupSeconds > 0) {
                count2xx(mode, LoadDriver.openRun(rate, runWarmupSeconds, maxOutstanding, "warm-up " + mode, call));
            }
            long start = System.nanoTime();
            String before = hook(snapshot);
            long cpuBefore = processCpuNanos();
            Stats s = LoadDriver.openRun(rate, seconds, maxOutstanding, mode, call);
            long driverCpuMs = (processCpuNanos() - cpuBefore) / 1_000_000;
            String after = hook(snapshot);
            count2xx(mode, s);
            double elapsed = s.elapsedSeconds;
            long[] lat = s.sortedLatencies();
            System.out.printf(Locale.ROOT,
                    "RESULT loop=open mode=%s stream=%s offered_rps=%.1f busy=%s before=%s after=%s driver_cpu_ms=%d seconds=%.2f sent=%d dropped=%d ok=%d s4xx=%d s5xx=%d other=%d io=%d incomplete=%d achieved_rps=%.1f p50=%.2f p90=%.2f p99=%.2f max=%.2f mean=%.2f send_lag_max=%.2f%n",
                    mode, yesNo(stream), rate, busy, before, after, driverCpuMs, elapsed, s.sent, s.dropped, s.ok, s.s402 + s.s4xx,
                    s.s5xx, s.other, s.io, s.incomplete, s.ok / elapsed, pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), pct(lat, 1.0),
                    mean(lat), s.sendLagMaxNanos / 1e6);
            log("%-8s stream=%-3s open %6.1f/s: %6.1f req/s  p50 %6.2f ms  p99 %7.2f ms  failed %d  dropped %d  (%.1f s wall)", mode,
                    yesNo(stream), rate, s.ok / elapsed, pct(lat, 0.50), pct(lat, 0.99), failures(s), s.dropped,
                    (System.nanoTime() - start) / 1e9);
        }

        void printTotal() {
            System.out.printf(Locale.ROOT, "TOTAL tollgate_2xx=%d direct_2xx=%d%n", tollgate2xx, direct2xx);
        }
    }

    static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    static long failures(Stats s) {
        return s.s402 + s.s4xx + s.s5xx + s.other + s.io + s.incomplete;
    }

    /** Whether runs print responses per second. */
    static boolean progress;

    /** Runs a shell command between runs; answers its output with blanks as '_' ("-" if none). */
    static String hook(String command) throws IOException, InterruptedException {
        return hook(command, Map.of());
    }

    /** Runs a shell command with these extra environment variables; its output, on one line. */
    static String hook(String command, Map<String, String> environment) throws IOException, InterruptedException {
        if (command == null) {
            return "-";
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("hook failed: " + command);
        }
        return out.isEmpty() ? "-" : out.replaceAll("\\s+", "_");
    }

    /** CPU time of this JVM (all threads), to report what the load generator itself costs. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * One request of a closed-loop client: sends it and reads the whole answer. Counts a failed
     * answer in {@code s} itself; answers true for a success, whose latency the loop records.
     * An {@link IOException} is counted by the loop.
     */
    @FunctionalInterface
    interface Call {
        boolean send(int client, long seq, ThreadLocalRandom random, Stats s) throws IOException, InterruptedException;
    }

    /** A charge of 5 millicredits for a random one of the users, with a unique Idempotency-Key. */
    static Call chargeCall(HttpClient http, String url, String[] auths, String tag) {
        return chargeCall(http, url, auths, null, tag);
    }

    /**
     * The charge of {@link #chargeCall(HttpClient, String, String[], String)}; with an account
     * (team:&lt;id&gt;), client i charges that pool as the member of {@code auths[i]} with the header
     * {@code X-Tollgate-Account}.
     */
    static Call chargeCall(HttpClient http, String url, String[] auths, String account, String tag) {
        URI uri = URI.create(url + "/api/credit/charges");
        return (id, seq, random, s) -> {
            String auth = account != null ? auths[id] : auths.length == 1 ? auths[0] : auths[random.nextInt(auths.length)];
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
            if (account != null) {
                builder.header(ACCOUNT_HEADER, account);
            }
            HttpRequest request = builder
                    .header("Authorization", auth)
                    .header("Idempotency-Key", tag + "-" + id + "-" + seq)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                if (response.headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false)) {
                    s.replayed++;
                }
                return true;
            }
            s.failed(status);
            return false;
        };
    }

    /**
     * The same charge over {@link PlainHttp}: one keep-alive socket per client thread, the request
     * written as bytes, the answer read to its end. It costs the load generator a fraction of the
     * JDK client's CPU, which on this shared 2-core machine is CPU taken from the app (pgbench, the
     * raw-SQL side of the comparison, is a lean C client too).
     */
    static Call plainChargeCall(String url, String[] auths, String tag, int maxClients) {
        return plainChargeCall(url, auths, null, tag, maxClients);
    }

    /** The plain charge; with an account, client i charges that pool as the member of {@code auths[i]}, as {@link #chargeCall} does. */
    static Call plainChargeCall(String url, String[] auths, String account, String tag, int maxClients) {
        URI uri = URI.create(url);
        String extraHeaders = account == null ? "" : ACCOUNT_HEADER + ": " + account + "\r\n";
        PlainHttp[] connections = new PlainHttp[maxClients];
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        return (id, seq, random, s) -> {
            PlainHttp http = connections[id];
            if (http == null) {
                http = connections[id] = new PlainHttp(uri.getHost(), uri.getPort());
            }
            String auth = account != null ? auths[id] : auths.length == 1 ? auths[0] : auths[random.nextInt(auths.length)];
            PlainHttp.Answer answer;
            try {
                answer = http.post("/api/credit/charges", auth, tag + "-" + id + "-" + seq, extraHeaders, body);
            } catch (IOException e) {
                http.close();
                connections[id] = null;
                throw e;
            }
            if (answer.status() >= 200 && answer.status() < 300) {
                if (answer.replayed()) {
                    s.replayed++;
                }
                return true;
            }
            s.failed(answer.status());
            return false;
        };
    }

    /**
     * A minimal HTTP/1.1 client for one thread: keep-alive, {@code Content-Length} or chunked
     * answers, reconnects when the server closes. Only what the charge benchmark needs.
     */
    static final class PlainHttp {

        record Answer(int status, boolean replayed) {
        }

        private final String host;
        private final int port;
        private java.net.Socket socket;
        private java.io.BufferedInputStream in;
        private java.io.OutputStream out;
        private final StringBuilder line = new StringBuilder(128);

        PlainHttp(String host, int port) {
            this.host = host;
            this.port = port;
        }

        Answer post(String path, String authorization, String idempotencyKey, String extraHeaders, byte[] body) throws IOException {
            if (socket == null) {
                socket = new java.net.Socket(host, port);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
                out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            }
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: " + authorization
                    + "\r\nIdempotency-Key: " + idempotencyKey + "\r\n" + extraHeaders + "Content-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            String statusLine = readLine();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean replayed = false;
            boolean close = false;
            for (String header = readLine(); !header.isEmpty(); header = readLine()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "idempotent-replayed" -> replayed = "true".equals(value);
                    case "connection" -> close = "close".equalsIgnoreCase(value);
                    default -> {
                    }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(readLine().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(readLine().split(";")[0].trim(), 16)) {
                    skip(size);
                    readLine();
                }
                while (!readLine().isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                skip(length);
            }
            if (close) {
                close();
            }
            return new Answer(status, replayed);
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new java.io.EOFException("answer cut short");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }

        private String readLine() throws IOException {
            line.setLength(0);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new java.io.EOFException("connection closed by the server");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }

    /** Seconds the client threads may still be busy after the end of a run before it counts as hung. */
    static final int RUN_GRACE_SECONDS = 120;

    /**
     * One closed-loop run: {@code clients} threads, each sends its next request as soon as its
     * previous answer was read. Bounded: fails if a client is still busy {@link #RUN_GRACE_SECONDS}
     * after the end.
     */
    static Stats run(int clients, int seconds, String tag, Call call) throws InterruptedException {
        LongAdder done = new LongAdder();
        Stats[] perClient = new Stats[clients];
        long[] finished = new long[clients];
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[clients];
        long[] startAt = new long[1];
        for (int i = 0; i < clients; i++) {
            int id = i;
            perClient[i] = new Stats();
            threads[i] = new Thread(() -> {
                Stats s = perClient[id];
                ThreadLocalRandom random = ThreadLocalRandom.current();
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = startAt[0] + seconds * 1_000_000_000L;
                long seq = 0;
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    try {
                        boolean ok = call.send(id, seq++, random, s);
                        long took = System.nanoTime() - t;
                        done.increment();
                        if (ok) {
                            s.ok++;
                            s.latency(took);
                        }
                    } catch (IOException e) {
                        s.io++;
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                finished[id] = System.nanoTime();
            }, "client-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        ready.await();
        startAt[0] = System.nanoTime();
        go.countDown();
        if (progress) {
            Thread monitor = new Thread(() -> {
                long before = 0;
                for (int sec = 1; sec <= seconds; sec++) {
                    try {
                        Thread.sleep(Math.max(0, startAt[0] + sec * 1_000_000_000L - System.nanoTime()) / 1_000_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long now = done.sum();
                    log("  %s c=%d second %d: %d responses", tag, clients, sec, now - before);
                    before = now;
                }
            });
            monitor.setDaemon(true);
            monitor.start();
        }
        long deadline = startAt[0] + (seconds + (long) RUN_GRACE_SECONDS) * 1_000_000_000L;
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                throw new IllegalStateException(tag + " c=" + clients + ": a client is still waiting for an answer "
                        + RUN_GRACE_SECONDS + " s after the end of the run");
            }
        }
        long last = Arrays.stream(finished).max().orElse(startAt[0]);
        Stats total = new Stats();
        total.elapsedSeconds = (last - startAt[0]) / 1e9;
        for (Stats s : perClient) {
            total.add(s);
        }
        return total;
    }

    /** One request of an open-loop run, sent without waiting: the future completes with its answer, read whole. */
    @FunctionalInterface
    interface OpenCall {
        CompletableFuture<ChatAnswer> send(ThreadLocalRandom random);
    }

    /**
     * One open-loop run: request i is due at start + i / rate, whatever the answers before it do
     * (the schedule is computed from the start, never from the previous send), and is sent without
     * waiting for any answer. Its latency runs from when it was due until its answer was read
     * whole, so that a stall of the server, or of this driver, counts for every request due during
     * it (no coordinated omission). An arrival that finds {@code maxOutstanding} requests in flight
     * is not sent and counts as dropped. Bounded: fails if answers are still missing
     * {@link #RUN_GRACE_SECONDS} after the end.
     */
    static Stats openRun(double rate, int seconds, int maxOutstanding, String tag, OpenCall call) throws InterruptedException {
        Stats s = new Stats(); // the answers' counts, updated under its own lock
        Semaphore inFlight = new Semaphore(maxOutstanding);
        LongAdder answered = new LongAdder();
        long[] lastAnswerAt = new long[1];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long sent = 0;
        long dropped = 0;
        long sendLagMaxNanos = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long nextProgress = start + 1_000_000_000L;
        for (long i = 0;; i++) {
            long due = start + Math.round(i * 1e9 / rate);
            if (due >= end) {
                break;
            }
            sleepUntil(due);
            sendLagMaxNanos = Math.max(sendLagMaxNanos, System.nanoTime() - due);
            if (progress && due >= nextProgress) {
                log("  %s open %.1f/s second %d: %d sent, %d answered, %d dropped", tag, rate, (due - start) / 1_000_000_000L,
                        sent, answered.sum(), dropped);
                nextProgress += 1_000_000_000L;
            }
            if (!inFlight.tryAcquire()) {
                dropped++;
                continue;
            }
            sent++;
            call.send(random).whenComplete((answer, error) -> {
                long now = System.nanoTime();
                synchronized (s) {
                    if (error != null) {
                        s.io++;
                    } else if (answer.countedAsSuccess(s)) {
                        s.ok++;
                        s.latency(now - due);
                    }
                    lastAnswerAt[0] = Math.max(lastAnswerAt[0], now);
                }
                answered.increment();
                inFlight.release();
            });
        }
        if (!inFlight.tryAcquire(maxOutstanding, RUN_GRACE_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(tag + " open " + rate + "/s: answers still missing " + RUN_GRACE_SECONDS
                    + " s after the end of the run");
        }
        synchronized (s) {
            s.sent = sent;
            s.dropped = dropped;
            s.sendLagMaxNanos = sendLagMaxNanos;
            s.elapsedSeconds = (Math.max(end, lastAnswerAt[0]) - start) / 1e9;
            return s;
        }
    }

    /** Parks this thread until {@code System.nanoTime()} reaches {@code due}; returns at once if it has. */
    static void sleepUntil(long due) {
        for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    static double mean(long[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(0) / 1e6;
    }

    static String statusString(Map<Integer, AtomicLong> statuses) {
        StringBuilder sb = new StringBuilder();
        statuses.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append(':').append(e.getValue()));
        return sb.toString();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[driver] " + format + "%n", args);
    }
}
