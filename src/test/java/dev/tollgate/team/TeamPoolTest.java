package dev.tollgate.team;

import static dev.tollgate.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.tollgate.compensation.CompensationQueue;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Teams;
import dev.tollgate.testing.Tokens;

/**
 * Team pools from outside: members spend from the pool by naming it, within their caps, checked
 * with the pool's charge; non-members and removed members cannot; roles bound who changes what; the
 * pool's ledger keeps its invariants under concurrency; a deferred charge counts in the spending
 * of the member whose call it is.
 */
@QuarkusTest
class TeamPoolTest {

    static final String CHARGE = Api.chargeBody("gpt-4o", 100, 100);
    static final String HOLD = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"maxOutputTokens\":100}";

    @Inject
    CompensationQueue compensations;

    @Test
    void aMemberChargesThePoolAndTheUsageNamesBoth() {
        String owner = Api.newUser("owner");
        String member = Api.newUser("member");
        String team = Teams.withMember(owner, member, null);
        String pool = "team:" + team;
        assertThat(LedgerProbe.buckets(pool)[0]).as("the team plan's allowance").isEqualTo(1_000_000);

        long cost = Teams.charge(member, team, "pool-1", CHARGE).then().statusCode(201)
                .extract().jsonPath().getLong("costMillicredits");

        assertThat(LedgerProbe.buckets(pool)[0]).isEqualTo(1_000_000 - cost);
        assertThat(LedgerProbe.buckets(member)).as("the member's own account is not touched").isNull();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND member_id = '" + member
                + "'", pool)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'CHARGE' "
                + "AND actor = 'user:" + member + "'", pool)).isEqualTo(1);
        // The replay answers the same charge, once; another member's request under that key is no replay.
        Teams.charge(member, team, "pool-1", CHARGE).then().statusCode(201).header("Idempotent-Replayed", "true");
        Teams.charge(owner, team, "pool-1", CHARGE).then().statusCode(409);
        assertThat(LedgerProbe.usageRows(pool)).isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(pool)).isEqualTo(LedgerProbe.buckets(pool));
    }

    @Test
    void aNonMemberNamingATeamIsRefusedAndNothingChanges() {
        String owner = Api.newUser("owner");
        String team = Teams.create(owner, "{\"name\":\"closed\"}");
        String stranger = Api.openAccount("stranger");
        String before = LedgerProbe.snapshot("team:" + team) + LedgerProbe.snapshot(stranger);

        Teams.charge(stranger, team, "x-1", CHARGE).then().statusCode(403)
                .body("type", Matchers.endsWith("/not-a-team-member"));
        Teams.onPool(stranger, team).contentType(ContentType.JSON).header("Idempotency-Key", "x-2").body(HOLD)
                .post("/api/credit/reservations").then().statusCode(403);
        as(stranger).get("/api/teams/" + team).then().statusCode(403);
        as(stranger).get("/api/teams/" + team + "/balance").then().statusCode(403);
        // An unknown team is answered the same, and a malformed name is a 400.
        Teams.charge(stranger, UUID.randomUUID().toString(), "x-3", CHARGE).then().statusCode(403);
        as(stranger).header(Teams.ACCOUNT_HEADER, "user:" + owner).contentType(ContentType.JSON)
                .header("Idempotency-Key", "x-4").body(CHARGE).post("/api/credit/charges").then().statusCode(400);

        assertThat(LedgerProbe.snapshot("team:" + team) + LedgerProbe.snapshot(stranger)).isEqualTo(before);
    }

    @Test
    void aMemberAtTheirCapIsRefusedWhileThePoolHasCreditsAndHoldsCountAgainstIt() {
        String owner = Api.newUser("owner");
        String member = Api.newUser("member");
        String team = Teams.withMember(owner, member, null);
        long cost = Teams.charge(member, team, "cap-0", CHARGE).then().statusCode(201).extract().jsonPath()
                .getLong("costMillicredits");
        // A cap of three charges: one spent, one more fits beside a hold of about one charge's size.
        Teams.putMember(owner, team, member, "{\"capMillicredits\":" + 3 * cost + "}").then().statusCode(200)
                .body("spentMillicredits", Matchers.is((int) cost));
        Teams.charge(member, team, "cap-1", CHARGE).then().statusCode(201);
        String hold = Teams.onPool(member, team).contentType(ContentType.JSON).header("Idempotency-Key", "cap-hold")
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"maxOutputTokens\":20}")
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");

        var refused = Teams.charge(member, team, "cap-2", CHARGE).then().statusCode(402).extract().jsonPath();
        assertThat(refused.getString("type")).endsWith("/member-cap-reached");
        assertThat(refused.getString("ranOut")).isEqualTo("member-cap");
        assertThat(refused.getLong("capMillicredits")).isEqualTo(3 * cost);
        assertThat(refused.getLong("spentMillicredits")).isEqualTo(2 * cost);
        assertThat(refused.getLong("heldMillicredits")).isPositive();
        as(member).header(Teams.ACCOUNT_HEADER, "team:" + team).get("/api/teams/" + team + "/members/me").then()
                .statusCode(200).body("remainingMillicredits", Matchers.lessThan((int) cost));

        // Released, the hold no longer counts: the charge fits.
        Teams.onPool(member, team).post("/api/credit/reservations/" + hold + "/release").then().statusCode(200);
        Teams.charge(member, team, "cap-2", CHARGE).then().statusCode(201);
        Teams.charge(member, team, "cap-3", CHARGE).then().statusCode(402);
        // The owner, without a cap, still spends: the pool had credits all along.
        Teams.charge(owner, team, "owner-1", CHARGE).then().statusCode(201);
        assertThat(LedgerProbe.count("SELECT spent_millicredits + held_millicredits FROM team_member WHERE account_id = ? "
                + "AND user_id = '" + member + "'", "team:" + team)).isEqualTo(3 * cost);
    }

    @Test
    void aChatCallOnThePoolIsBoundedByTheCapAndCountedForTheMember() {
        String owner = Api.newUser("owner");
        String member = Api.newUser("member");
        String team = Teams.withMember(owner, member, 2_000L);
        String pool = "team:" + team;

        var answer = Teams.onPool(member, team).contentType(ContentType.JSON)
                .body(Api.chatBody("gpt-4o", "Hello", 100_000, false)).post("/v1/chat/completions").then().statusCode(200)
                .extract();
        // The output budget was capped by what the cap leaves, not by the pool's thousand credits.
        assertThat(Integer.parseInt(answer.header("X-Tollgate-Max-Tokens"))).isLessThan(100_000);
        long spent = LedgerProbe.count("SELECT spent_millicredits FROM team_member WHERE account_id = ? AND user_id = '"
                + member + "'", pool);
        assertThat(spent).isPositive().isEqualTo(LedgerProbe.count(
                "SELECT SUM(cost_millicredits) FROM token_usage WHERE user_id = ? AND member_id = '" + member + "'", pool));
        assertThat(LedgerProbe.count("SELECT held_millicredits FROM team_member WHERE account_id = ? AND user_id = '"
                + member + "'", pool)).isZero();

        // At the cap, a chat call is refused before the provider is called, and the 402 says why.
        Teams.putMember(owner, team, member, "{\"capMillicredits\":" + spent + "}").then().statusCode(200);
        Teams.onPool(member, team).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o", "Hello", 50, false))
                .post("/v1/chat/completions").then().statusCode(402).body("ranOut", Matchers.is("member-cap"));

        // A new period of the pool starts the member's spending from zero.
        LedgerProbe.execute("UPDATE team_member SET period_start = period_start - interval '1 month' WHERE account_id = ?",
                pool);
        as(member).get("/api/teams/" + team + "/members/me").then().statusCode(200)
                .body("spentMillicredits", Matchers.is(0));
        Teams.onPool(member, team).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o", "Hello", 50, false))
                .post("/v1/chat/completions").then().statusCode(200);
        assertThat(LedgerProbe.ledgerSums(pool)).isEqualTo(LedgerProbe.buckets(pool));
    }

    @Test
    void aDeferredChargeOfAMembersFreedHoldCountsInTheirSpendingEvenPastTheirCap() {
        String owner = Api.newUser("owner");
        String member = Api.newUser("member");
        String team = Teams.withMember(owner, member, 1_000L);
        String hold = Teams.onPool(member, team).contentType(ContentType.JSON).header("Idempotency-Key", "freed-hold")
                .body(HOLD).post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        // The hold is freed (released here; the expiry job frees it alike) while the call's settle
        // waited for the database; the settle's charge then arrives as a compensation.
        Teams.onPool(member, team).post("/api/credit/reservations/" + hold + "/release").then().statusCode(200);
        UUID holdId = UUID.fromString(hold);
        compensations.deferCharge("team:" + team, Ledger.settleKey(holdId), Millicredits.of(1_500), holdId,
                "settle failed after the answer was delivered", null);

        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/process-compensations").then().statusCode(200);

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'",
                "team:" + team)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT spent_millicredits FROM team_member WHERE account_id = ? AND user_id = '"
                + member + "'", "team:" + team)).as("the member's spending, past the cap").isEqualTo(1_500);
        assertThat(LedgerProbe.count("SELECT held_millicredits FROM team_member WHERE account_id = ? AND user_id = '"
                + member + "'", "team:" + team)).isZero();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND member_id = '" + member
                + "' AND cost_millicredits = 1500", "team:" + team)).isEqualTo(1);
        LedgerProbe.assertBalanced("team:" + team);
    }

    @Test
    void aMemberRemovedDuringACallFinishesItButCannotStartAnother() {
        String owner = Api.newUser("owner");
        String member = Api.newUser("member");
        String team = Teams.withMember(owner, member, null);
        String hold = Teams.onPool(member, team).contentType(ContentType.JSON).header("Idempotency-Key", "removed-hold")
                .body(HOLD).post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");

        String joinedAt = "SELECT (EXTRACT(EPOCH FROM joined_at) * 1000000)::bigint FROM team_member WHERE account_id = ? "
                + "AND user_id = '" + member + "'";
        long firstJoined = LedgerProbe.count(joinedAt, "team:" + team);
        as(owner).delete("/api/teams/" + team + "/members/" + member).then().statusCode(200);

        // Another member can neither settle nor release it; the one who placed it can.
        Teams.onPool(owner, team).contentType(ContentType.JSON).body("{\"usage\":{\"uncachedInputTokens\":5,\"outputTokens\":5}}")
                .post("/api/credit/reservations/" + hold + "/settle").then().statusCode(404);
        Teams.onPool(owner, team).post("/api/credit/reservations/" + hold + "/release").then().statusCode(404);
        Teams.onPool(member, team).contentType(ContentType.JSON).body("{\"usage\":{\"uncachedInputTokens\":5,\"outputTokens\":5}}")
                .post("/api/credit/reservations/" + hold + "/settle").then().statusCode(200);
        Teams.charge(member, team, "after-removal", CHARGE).then().statusCode(403);
        assertThat(LedgerProbe.count("SELECT held_millicredits FROM team_member WHERE account_id = ? AND user_id = '"
                + member + "'", "team:" + team)).isZero();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND member_id = '" + member + "'",
                "team:" + team)).as("the settled call's usage names the member, from the hold").isEqualTo(1);

        // Added again, they spend again, as a member who joined now.
        Teams.putMember(owner, team, member, "{}").then().statusCode(200);
        Teams.charge(member, team, "after-rejoining", CHARGE).then().statusCode(201);
        assertThat(LedgerProbe.count(joinedAt, "team:" + team)).as("joined again").isGreaterThan(firstJoined);
    }

    @Test
    void rolesBoundWhoChangesWhat() {
        String owner = Api.newUser("owner");
        String manager = Api.newUser("manager");
        String member = Api.newUser("member");
        String team = Teams.create(owner, "{\"name\":\"roles\",\"members\":[{\"userId\":\"" + manager
                + "\",\"role\":\"manager\"},{\"userId\":\"" + member + "\"}]}");

        Teams.putMember(manager, team, member, "{\"role\":\"owner\"}").then().statusCode(403)
                .body("requiredRole", Matchers.is("owner"));
        Teams.putMember(manager, team, Api.newUser("new"), "{\"role\":\"manager\"}").then().statusCode(403);
        Teams.putMember(member, team, member, "{\"capMillicredits\":1}").then().statusCode(403);
        Teams.putMember(manager, team, owner, "{\"capMillicredits\":1}").then().statusCode(403);
        as(manager).delete("/api/teams/" + team + "/members/" + owner).then().statusCode(403);
        as(member).delete("/api/teams/" + team).then().statusCode(403);
        Teams.putMember(manager, team, member, "{\"capMillicredits\":5000}").then().statusCode(200)
                .body("role", Matchers.is("member"));
        as(member).get("/api/teams/" + team + "/balance").then().statusCode(403);
        as(member).get("/api/teams/" + team).then().statusCode(200).body("members.size()", Matchers.is(1));
        as(manager).get("/api/teams/" + team + "/balance").then().statusCode(200)
                .body("members.size()", Matchers.is(3));
        // The owner makes the manager an owner; then the first owner may leave, the last may not.
        Teams.putMember(owner, team, manager, "{\"role\":\"owner\"}").then().statusCode(200);
        as(owner).delete("/api/teams/" + team + "/members/" + owner).then().statusCode(200);
        as(manager).delete("/api/teams/" + team + "/members/" + manager).then().statusCode(409);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM team_member WHERE account_id = ? AND role = 'owner' "
                + "AND removed_at IS NULL", "team:" + team)).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedAndNothingChanges() {
        String owner = Api.newUser("owner");
        long teamsBefore = LedgerProbe.count("SELECT COUNT(*) FROM team WHERE created_by = ?", owner);
        create(owner, "{\"name\":\"" + "x".repeat(10_000) + "\"}").then().statusCode(400);
        create(owner, "{\"name\":\"  \"}").then().statusCode(400);
        create(owner, "{\"name\":\"dup\",\"members\":[{\"userId\":\"a\"},{\"userId\":\"a\"}]}").then().statusCode(400);
        create(owner, "{\"name\":\"self\",\"members\":[{\"userId\":\"" + owner + "\"}]}").then().statusCode(400);
        create(owner, "{\"name\":\"cap\",\"members\":[{\"userId\":\"a\",\"capMillicredits\":-1}]}").then().statusCode(400);
        create(owner, "{\"name\":\"role\",\"members\":[{\"userId\":\"a\",\"role\":\"king\"}]}").then().statusCode(400);
        create(owner, "{\"name\":\"claim\",\"claimValue\":\"org-not-mine\"}").then().statusCode(400);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM team WHERE created_by = ?", owner)).isEqualTo(teamsBefore);

        String team = Teams.create(owner, "{\"name\":\"ok\"}");
        Teams.putMember(owner, team, "someone", "{\"capMillicredits\":-1}").then().statusCode(400);
        Teams.putMember(owner, team, "team:" + team, "{}").then().statusCode(400);
        as(owner).get("/api/teams/not-a-uuid").then().statusCode(403);
        given().auth().oauth2(Tokens.admin("operator")).get("/api/teams/" + UUID.randomUUID()).then().statusCode(404);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM team_member WHERE account_id = ?", "team:" + team)).isEqualTo(1);
    }

    @Test
    void deletingATeamMovesItsPurchasedCreditsToTheOwner() {
        String owner = Api.openAccount("owner");
        String team = Teams.create(owner, "{\"name\":\"to delete\"}");
        String pool = "team:" + team;
        given().auth().oauth2(Tokens.admin("operator")).contentType(ContentType.JSON).header("Idempotency-Key", "fund-" + team)
                .body("{\"userId\":\"" + pool + "\",\"bucket\":\"purchased\",\"amountMillicredits\":7000,\"reason\":\"bought\"}")
                .post("/api/admin/credit/adjustments").then().statusCode(201);

        as(owner).delete("/api/teams/" + team).then().statusCode(200).body("movedMillicredits", Matchers.is(7000));

        assertThat(LedgerProbe.buckets(pool)[1]).isZero();
        assertThat(LedgerProbe.buckets(owner)[1]).isEqualTo(7000);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE operation = 'TRANSFER' AND user_id IN (?, '"
                + owner + "')", pool)).isEqualTo(2);
        assertThat(LedgerProbe.ledgerSums(owner)).isEqualTo(LedgerProbe.buckets(owner));
        assertThat(LedgerProbe.ledgerSums(pool)).isEqualTo(LedgerProbe.buckets(pool));
        Teams.charge(owner, team, "after-delete", CHARGE).then().statusCode(403);
    }

    @Test
    void anAdminChangesATeamOnlyWithAReasonAndIsAudited() {
        String owner = Api.newUser("owner");
        String member = Api.newUser("member");
        String team = Teams.withMember(owner, member, null);
        String admin = "admin-" + UUID.randomUUID();
        var asAdmin = given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).body("{\"capMillicredits\":10}");
        asAdmin.put("/api/teams/" + team + "/members/" + member).then().statusCode(400);
        given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).body("{\"capMillicredits\":10}")
                .header("X-Tollgate-Reason", "abuse report 17").put("/api/teams/" + team + "/members/" + member)
                .then().statusCode(200);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE operation = 'TEAM_CHANGE' AND actor = ?",
                "admin:" + admin)).isEqualTo(1);
        given().auth().oauth2(Tokens.admin(admin)).get("/api/teams/" + team + "/balance").then().statusCode(200);
    }

    @Test
    void theTokensClaimMakesItsHolderAMember() {
        String owner = Api.newUser("owner");
        String org = "org-" + UUID.randomUUID();
        String team = given().auth().oauth2(Tokens.user(owner, claims -> claims.claim("org_id", org)))
                .contentType(ContentType.JSON).header("Idempotency-Key", "claim-" + org)
                .body("{\"name\":\"by claim\",\"claimValue\":\"" + org + "\"}").post("/api/teams")
                .then().statusCode(201).extract().path("teamId");
        String colleague = Api.newUser("colleague");
        String token = Tokens.user(colleague, claims -> claims.claim("org_id", org));

        given().auth().oauth2(token).header(Teams.ACCOUNT_HEADER, "team:" + team).contentType(ContentType.JSON)
                .header("Idempotency-Key", "claim-charge").body(CHARGE).post("/api/credit/charges").then().statusCode(201);
        given().auth().oauth2(token).get("/api/teams").then().statusCode(200)
                .body("[0].role", Matchers.is("member"));
        // Another organisation's user is not a member.
        given().auth().oauth2(Tokens.user(Api.newUser("other"), claims -> claims.claim("org_id", "org-other")))
                .header(Teams.ACCOUNT_HEADER, "team:" + team).contentType(ContentType.JSON)
                .header("Idempotency-Key", "claim-other").body(CHARGE).post("/api/credit/charges").then().statusCode(403);
    }

    @Test
    void sixtyFourClientsOnOnePoolGetExactlyTheChargesItCovers() throws Exception {
        String owner = Api.newUser("owner");
        List<String> members = new ArrayList<>();
        StringBuilder body = new StringBuilder("{\"name\":\"hot\",\"members\":[");
        for (int i = 0; i < 16; i++) {
            members.add(Api.newUser("hot"));
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(members.get(i)).append("\"}");
        }
        String team = Teams.create(owner, body.append("]}").toString());
        String pool = "team:" + team;
        long cost = Teams.charge(owner, team, "probe", CHARGE).then().statusCode(201).extract().jsonPath()
                .getLong("costMillicredits");
        int covered = 20;
        long monthly = LedgerProbe.buckets(pool)[0];
        given().auth().oauth2(Tokens.admin("operator")).contentType(ContentType.JSON).header("Idempotency-Key", "shrink-" + team)
                .body("{\"userId\":\"" + pool + "\",\"bucket\":\"monthly\",\"amountMillicredits\":" + -(monthly - covered * cost)
                        + ",\"reason\":\"test\"}").post("/api/admin/credit/adjustments").then().statusCode(201);
        // One member's cap covers exactly 5 of their 64 charges.
        String capped = members.get(0);
        Teams.putMember(owner, team, capped, "{\"capMillicredits\":" + 5 * cost + "}").then().statusCode(200);

        List<Integer> pooled = run(64, i -> Teams.charge(members.get(1 + i % 15), team, "hot-" + i, CHARGE).statusCode());
        assertThat(pooled).containsOnly(201, 402);
        assertThat(pooled.stream().filter(s -> s == 201).count()).isEqualTo(covered);
        assertThat(LedgerProbe.buckets(pool)[0]).isZero();
        assertThat(LedgerProbe.ledgerSums(pool)).isEqualTo(LedgerProbe.buckets(pool));

        given().auth().oauth2(Tokens.admin("operator")).contentType(ContentType.JSON).header("Idempotency-Key", "refill-" + team)
                .body("{\"userId\":\"" + pool + "\",\"bucket\":\"purchased\",\"amountMillicredits\":" + 1000 * cost
                        + ",\"reason\":\"test\"}").post("/api/admin/credit/adjustments").then().statusCode(201);
        List<Integer> capResults = run(64, i -> Teams.charge(capped, team, "capped-" + i, CHARGE).statusCode());
        assertThat(capResults).containsOnly(201, 402);
        assertThat(capResults.stream().filter(s -> s == 201).count()).isEqualTo(5);
        assertThat(LedgerProbe.count("SELECT spent_millicredits FROM team_member WHERE account_id = ? AND user_id = '"
                + capped + "'", pool)).isEqualTo(5 * cost);
        assertThat(LedgerProbe.negativePoints(pool)).isZero();
        assertThat(LedgerProbe.ledgerSums(pool)).isEqualTo(LedgerProbe.buckets(pool));
    }

    private static io.restassured.response.Response create(String owner, String body) {
        return as(owner).contentType(ContentType.JSON).header("Idempotency-Key", "bad-" + UUID.randomUUID()).body(body)
                .post("/api/teams");
    }

    private interface Call {
        int status(int index);
    }

    private static List<Integer> run(int clients, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int index = i;
                futures.add(pool.submit((Callable<Integer>) () -> call.status(index)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> future : futures) {
                statuses.add(future.get());
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
