package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Thousands of hostile requests at every mutating endpoint — charges, reservations with settle and
 * release, the chat call, admin adjustments, admin prices, admin jobs — with bodies, path
 * segments and keys drawn from {@link FuzzInputs}: none is answered with a 5xx (every one with a
 * 4xx), and afterwards every table of the ledger (accounts, audit log, holds, usage and its
 * archive, compensations, refresh history, prices) is byte for byte what it was before.
 *
 * <p>Why nothing may change even when a generated request happens to be valid: the fuzzing user
 * has nothing available (a valid charge, hold or chat call is a 402); a second user, with credits,
 * sends every charge, hold and chat call under the key of an earlier call of theirs, so that a valid
 * one reaches the database and is refused there (409, or replayed unchanged); the admin adjusts only
 * their own account (403), a price change takes effect in the past (400), and the fields where an
 * odd value would still be valid (a reservation of one's own, a target user id, an
 * {@code effectiveFrom}) only get values that are certainly invalid.
 *
 * <p>Reproduce a failure with {@code -Dtollgate.fuzz.seed=<seed>}; {@code -Dtollgate.fuzz.tries=<n>}
 * sets the requests per endpoint (default 300).
 */
@QuarkusTest
class MutatingEndpointsFuzzTest {

    static final Set<String> JOBS = Set.of("refresh", "expire-holds", "process-compensations", "archive-usage",
            "purge-rate-limits", "process-top-ups", "expire-grants", "predict-depletion");
    static final List<String> LEDGER_TABLES = List.of("credit_account", "credit_audit_log", "credit_reservation",
            "token_usage", "token_usage_archive", "credit_compensation", "credit_refresh_history", "model_pricing");
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    String fuzzer;
    String fuzzerToken;
    /** A user with credits whose every request reuses a key of an earlier call (a 409, or a replay). */
    String replayerToken;
    String adminToken;
    String ownHold;
    String victimHold;
    FuzzInputs inputs;
    long seed;
    int answered;
    /** Answers per endpoint and status, e.g. "POST /api/credit/charges" → {400=250, 402=40, 422=10}. */
    final Map<String, Map<Integer, Integer>> statuses = new java.util.TreeMap<>();
    String endpoint;

    @Test
    void noHostileRequestIsA5xxOrChangesTheLedger() throws Exception {
        seed = Long.getLong("tollgate.fuzz.seed", System.nanoTime());
        int tries = Integer.getInteger("tollgate.fuzz.tries", 300);
        inputs = new FuzzInputs(seed);
        prepareAccounts();
        Map<String, String> before = ledgerDigest();

        // jqwik's generators outside its engine need a session of their own.
        JqwikSession.start(String.valueOf(seed));
        try {
            fuzzCharges(tries);
            fuzzReservations(tries);
            fuzzSettle(tries);
            fuzzRelease(tries);
            fuzzChat(tries);
            fuzzAdjustments(tries);
            fuzzPrices(tries);
            fuzzJobs(tries);
        } finally {
            JqwikSession.finish();
        }

        System.out.println("fuzz seed " + seed + ", " + answered + " requests, answers: " + statuses);
        assertThat(answered).isGreaterThanOrEqualTo(8 * tries);
        // The generated requests reach the money path, not only the parser: some are valid enough to be
        // refused for the missing credits, the unknown model, or the admin's own account.
        assertThat(statuses.get("POST /api/credit/charges")).containsKeys(400, 402, 409);
        assertThat(statuses.get("POST /api/credit/reservations")).containsKeys(400, 402, 409);
        assertThat(statuses.get("POST /v1/chat/completions")).containsKeys(400, 402, 409);
        assertThat(statuses.get("POST /api/admin/credit/adjustments")).containsKeys(400, 403);
        assertThat(ledgerDigest()).as("ledger tables after %d hostile requests (seed %d)", answered, seed)
                .isEqualTo(before);
    }

    static final String USED_CHARGE_KEY = "fuzz-used-charge";
    static final String USED_HOLD_KEY = "fuzz-used-hold";
    static final String USED_CHAT_KEY = "fuzz-used-chat";

    /**
     * The fuzzing user holds part of their credits and has nothing else available; a victim holds
     * credits too. Their holds stay as they are through the whole run.
     */
    void prepareAccounts() {
        String replayer = Api.openAccount("replayer");
        replayerToken = Tokens.user(replayer);
        Api.charge(replayer, USED_CHARGE_KEY, Api.chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(201);
        Api.as(replayer).contentType(ContentType.JSON).header("Idempotency-Key", USED_HOLD_KEY).body(RESERVATION)
                .post("/api/credit/reservations").then().statusCode(201);
        Api.as(replayer).contentType(ContentType.JSON).header("Idempotency-Key", USED_CHAT_KEY)
                .body(Api.chatBody("gpt-4o-mini", "hello", 20, false)).post("/v1/chat/completions").then().statusCode(200);
        fuzzer = Api.openAccount("fuzzer");
        fuzzerToken = Tokens.user(fuzzer);
        String victim = Api.openAccount("victim");
        String admin = "fuzz-admin-" + UUID.randomUUID();
        adminToken = Tokens.admin(admin);
        ownHold = hold(fuzzer);
        victimHold = hold(victim);
        long available = Api.as(fuzzer).get("/api/credit/balance").then().statusCode(200)
                .extract().jsonPath().getLong("availableMillicredits");
        RestAssured.given().auth().oauth2(adminToken).contentType(ContentType.JSON).header("Idempotency-Key", "drain")
                .body("{\"userId\":\"" + fuzzer + "\",\"bucket\":\"monthly\",\"amountMillicredits\":" + (-available)
                        + ",\"reason\":\"fuzz test: nothing available\"}")
                .post("/api/admin/credit/adjustments").then().statusCode(201);
        Api.as(fuzzer).get("/api/credit/balance").then().statusCode(200)
                .body("availableMillicredits", org.hamcrest.Matchers.equalTo(0));
    }

    static String hold(String user) {
        return Api.as(user).contentType(ContentType.JSON).header("Idempotency-Key", "hold-" + UUID.randomUUID())
                .body(RESERVATION).post("/api/credit/reservations").then().statusCode(201)
                .extract().path("reservationId");
    }

    // ---- templates: valid requests that hostile values are spliced into ---------------------

    static final String CHARGE = "{\"model\":\"gpt-4o-mini\",\"characterId\":\"luna\","
            + "\"conversationId\":\"c-1\",\"usage\":{\"uncachedInputTokens\":100,\"cachedInputTokens\":10,"
            + "\"cacheWriteTokens\":5,\"outputTokens\":50,\"reasoningTokens\":5},\"estimated\":false}";
    static final String RESERVATION = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\","
            + "\"name\":\"ann\"}],\"maxOutputTokens\":100}";
    static final String SETTLE = "{\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":5},\"characterId\":\"luna\","
            + "\"conversationId\":\"c-1\",\"estimated\":true}";
    static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"name\":\"ann\"}],\"max_tokens\":50,"
            + "\"stream\":false,\"temperature\":0.5,"
            + "\"metadata\":{\"character_id\":\"luna\",\"conversation_id\":\"c-1\"}}";
    static final String PRICE_IN_THE_PAST = "{\"inputCreditsPerMillion\":1.5,\"cachedInputCreditsPerMillion\":0.75,"
            + "\"cacheWriteCreditsPerMillion\":2,\"outputCreditsPerMillion\":6,\"reasoningCreditsPerMillion\":6,"
            + "\"effectiveFrom\":\"2001-01-01T00:00:00Z\"}";

    static final List<String> CHARGE_FIELDS = List.of("model", "characterId", "conversationId", "usage",
            "usage.uncachedInputTokens", "usage.cachedInputTokens", "usage.cacheWriteTokens", "usage.outputTokens",
            "usage.reasoningTokens", "estimated");
    static final List<String> RESERVATION_FIELDS = List.of("model", "messages", "messages.0", "messages.0.role",
            "messages.0.content", "messages.0.name", "maxOutputTokens");
    static final List<String> SETTLE_FIELDS = List.of("usage", "usage.uncachedInputTokens", "usage.outputTokens",
            "characterId", "conversationId", "estimated");
    static final List<String> CHAT_FIELDS = List.of("model", "messages", "messages.0", "messages.1.role",
            "messages.1.content", "messages.1.content.0", "messages.1.content.0.text", "messages.1.name", "max_tokens",
            "max_completion_tokens", "stream", "temperature", "metadata", "metadata.character_id",
            "metadata.conversation_id");
    static final List<String> PRICE_FIELDS = List.of("inputCreditsPerMillion", "cachedInputCreditsPerMillion",
            "cacheWriteCreditsPerMillion", "outputCreditsPerMillion", "reasoningCreditsPerMillion");

    // ---- the endpoints -------------------------------------------------------------------

    void fuzzCharges(int tries) {
        for (int i = 0; i < tries; i++) {
            boolean replay = i % 2 == 1;
            send("POST", "/api/credit/charges", replay ? replayerToken : fuzzerToken, replay ? USED_CHARGE_KEY : idempotencyKey(),
                    mutated(CHARGE, CHARGE_FIELDS, Map.of()));
        }
    }

    void fuzzReservations(int tries) {
        for (int i = 0; i < tries; i++) {
            boolean replay = i % 2 == 1;
            send("POST", "/api/credit/reservations", replay ? replayerToken : fuzzerToken,
                    replay ? USED_HOLD_KEY : idempotencyKey(), mutated(RESERVATION, RESERVATION_FIELDS, Map.of()));
        }
    }

    void fuzzSettle(int tries) {
        for (int i = 0; i < tries; i++) {
            if (i % 3 == 0) {
                // The fuzzer's own hold: only bodies that are certainly invalid.
                byte[] body = inputs.nextInt(4) == 0 ? inputs.garbageBody()
                        : mutatedOnly(SETTLE, Map.of("usage.uncachedInputTokens", FuzzInputs.invalidTokenCount(),
                                "usage.outputTokens", FuzzInputs.invalidTokenCount()));
                send("POST", "/api/credit/reservations/" + ownHold + "/settle", fuzzerToken, null, body);
            } else {
                // Another user's hold, unknown ids, junk ids: any body, even a valid one, is refused.
                send("POST", "/api/credit/reservations/" + foreignReservationId() + "/settle", fuzzerToken, null,
                        mutated(SETTLE, SETTLE_FIELDS, Map.of()));
            }
        }
    }

    void fuzzRelease(int tries) {
        for (int i = 0; i < tries; i++) {
            byte[] body = inputs.nextInt(2) == 0 ? null : inputs.garbageBody();
            send("POST", "/api/credit/reservations/" + foreignReservationId() + "/release", fuzzerToken, null, body);
        }
    }

    void fuzzChat(int tries) {
        for (int i = 0; i < tries; i++) {
            boolean replay = i % 2 == 1;
            send("POST", "/v1/chat/completions", replay ? replayerToken : fuzzerToken,
                    replay ? USED_CHAT_KEY : inputs.nextInt(3) == 0 ? idempotencyKey() : null, mutated(CHAT, CHAT_FIELDS, Map.of()));
        }
    }

    void fuzzAdjustments(int tries) {
        String self = "{\"userId\":\"" + adminSubject() + "\",\"bucket\":\"purchased\",\"amountMillicredits\":5000,"
                + "\"reason\":\"goodwill\"}";
        for (int i = 0; i < tries; i++) {
            send("POST", "/api/admin/credit/adjustments", adminToken, idempotencyKey(),
                    mutated(self, List.of("bucket", "amountMillicredits", "reason"),
                            Map.of("userId", FuzzInputs.invalidUserId(), "amountMillicredits", FuzzInputs.invalidAmount())));
        }
    }

    void fuzzPrices(int tries) {
        for (int i = 0; i < tries; i++) {
            String model = inputs.nextInt(3) == 0 ? "gpt-4o-mini" : pathSegment(inputs.draw(FuzzInputs.anyText()));
            send("PUT", "/api/admin/pricing/" + model, adminToken, null,
                    mutated(PRICE_IN_THE_PAST, PRICE_FIELDS, Map.of("effectiveFrom", FuzzInputs.invalidEffectiveFrom())));
        }
    }

    void fuzzJobs(int tries) {
        Arbitrary<String> names = FuzzInputs.anyText().filter(name -> !JOBS.contains(name.trim().toLowerCase()));
        for (int i = 0; i < tries; i++) {
            send("POST", "/api/admin/jobs/" + pathSegment(inputs.draw(names)), adminToken, null,
                    inputs.nextInt(2) == 0 ? null : inputs.garbageBody());
        }
    }

    // ---- generation ----------------------------------------------------------------------

    /**
     * A body from the template: one or two of its fields replaced by a hostile value (any value for
     * {@code anyFields}, a certainly invalid one for {@code restricted}), removed, or joined by an
     * unknown field; or the template broken, or spliced with invalid UTF-8; or garbage.
     */
    byte[] mutated(String template, List<String> anyFields, Map<String, Arbitrary<String>> restricted) {
        switch (inputs.nextInt(10)) {
            case 0:
                return inputs.garbageBody();
            case 1:
                return inputs.withInvalidUtf8(template);
            case 2:
                return inputs.broken(template);
            default:
                break;
        }
        ObjectNode body = parse(template);
        int mutations = 1 + inputs.nextInt(2);
        for (int m = 0; m < mutations; m++) {
            int pick = inputs.nextInt(anyFields.size() + restricted.size() + 1);
            if (pick < anyFields.size()) {
                String field = anyFields.get(pick);
                if (!restricted.containsKey(field) && inputs.nextInt(8) == 0) {
                    remove(body, field);
                } else {
                    set(body, field, inputs.draw(restricted.getOrDefault(field, FuzzInputs.anyFragment())));
                }
            } else if (pick < anyFields.size() + restricted.size()) {
                String field = new ArrayList<>(restricted.keySet()).get(pick - anyFields.size());
                set(body, field, inputs.draw(restricted.get(field)));
            } else {
                // A field the template does not have (one it has would be replaced, which is a field mutation).
                String name = inputs.draw(Arbitraries.of("userId", "user_id", "admin", "sub", "__proto__", "constructor",
                        "amountMillicredits", "role", "plan", "n", "tools"));
                if (!body.has(name)) {
                    body.putRawValue(name, new RawValue(inputs.draw(FuzzInputs.anyFragment())));
                }
            }
        }
        return write(body);
    }

    /** A body from the template with only the given fields replaced, each by its certainly invalid values. */
    byte[] mutatedOnly(String template, Map<String, Arbitrary<String>> fields) {
        ObjectNode body = parse(template);
        List<String> names = new ArrayList<>(fields.keySet());
        String field = names.get(inputs.nextInt(names.size()));
        set(body, field, inputs.draw(fields.get(field)));
        return write(body);
    }

    String foreignReservationId() {
        switch (inputs.nextInt(4)) {
            case 0:
                return victimHold;
            case 1:
                return UUID.randomUUID().toString();
            case 2:
                return victimHold.toUpperCase();
            default:
                return pathSegment(inputs.draw(FuzzInputs.anyText()));
        }
    }

    String idempotencyKey() {
        if (inputs.nextInt(4) > 0) {
            return "fuzz-" + UUID.randomUUID();
        }
        // Visible ASCII and spaces, from empty to too long (HTTP header values cannot carry more).
        return inputs.draw(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(400));
    }

    String adminSubject() {
        try {
            String payload = adminToken.split("\\.")[1];
            return JSON.readTree(java.util.Base64.getUrlDecoder().decode(payload)).get("sub").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pathSegment(String text) {
        String encoded = URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        return encoded.isEmpty() ? "%20" : encoded;
    }

    static ObjectNode parse(String template) {
        try {
            return (ObjectNode) JSON.readTree(template);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] write(JsonNode body) {
        try {
            return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where a dotted path ends: the container that holds its last segment, and that segment. */
    record Slot(JsonNode parent, String last) {

        /** The slot of the path, or null if the path leaves the body. */
        static Slot of(ObjectNode body, String path) {
            String[] parts = path.split("\\.");
            JsonNode parent = body;
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent instanceof ArrayNode array ? array.get(Integer.parseInt(parts[i])) : parent.get(parts[i]);
                if (!(parent instanceof ContainerNode)) {
                    return null;
                }
            }
            return new Slot(parent, parts[parts.length - 1]);
        }
    }

    static void set(ObjectNode body, String path, String rawFragment) {
        Slot slot = Slot.of(body, path);
        if (slot == null) {
            return;
        }
        if (slot.parent() instanceof ArrayNode array) {
            int index = Integer.parseInt(slot.last());
            if (index < array.size()) {
                array.set(index, array.rawValueNode(new RawValue(rawFragment)));
            } else {
                array.addRawValue(new RawValue(rawFragment));
            }
        } else {
            ((ObjectNode) slot.parent()).putRawValue(slot.last(), new RawValue(rawFragment));
        }
    }

    static void remove(ObjectNode body, String path) {
        Slot slot = Slot.of(body, path);
        if (slot == null) {
            return;
        }
        if (slot.parent() instanceof ArrayNode array) {
            array.remove(Integer.parseInt(slot.last())); // null if there is no such element
        } else {
            ((ObjectNode) slot.parent()).remove(slot.last());
        }
    }

    // ---- sending and checking --------------------------------------------------------------

    void send(String method, String path, String token, String idempotencyKey, byte[] body) {
        endpoint = method + " " + path.replaceAll("/reservations/[^/]+/", "/reservations/{id}/")
                .replaceAll("/(pricing|jobs)/.*", "/$1/{name}");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", "tollgate-fuzz/1.0");
        if (body != null) {
            request.header("Content-Type", inputs.nextInt(20) == 0 ? "text/plain" : "application/json");
        }
        if (idempotencyKey != null) {
            try {
                request.header("Idempotency-Key", idempotencyKey);
            } catch (IllegalArgumentException e) {
                // Not a value HTTP can carry: nothing to send.
            }
        }
        Supplier<String> shown = () -> method + " " + abbreviate(path) + " body " + (body == null ? "none"
                : abbreviate(new String(body, StandardCharsets.UTF_8)));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The server may close the connection on a body it refuses (413): that is an answer, not a 5xx.
            answered++;
            count(0);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        answered++;
        int status = response.statusCode();
        count(status);
        // The replaying user's request that equals their earlier one is answered with that call's result
        // again (the ledger digest shows that nothing changed).
        boolean replayed = status / 100 == 2 && replayerToken.equals(token);
        if ((status < 400 && !replayed) || status >= 500) {
            fail("seed %d: %s answered %d %s", seed, shown.get(), status, abbreviate(response.body()));
        }
    }

    void count(int status) {
        statuses.computeIfAbsent(endpoint, e -> new java.util.TreeMap<>()).merge(status, 1, Integer::sum);
    }

    static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "… (" + text.length() + " chars)" : text;
    }

    /** An MD5 of every row of every ledger table, per table, in a stable order. */
    static Map<String, String> ledgerDigest() throws SQLException {
        Map<String, String> digests = new LinkedHashMap<>();
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            for (String table : LEDGER_TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM "
                        + table + " t")) {
                    rs.next();
                    digests.put(table, rs.getString(1));
                }
            }
        }
        return digests;
    }
}
