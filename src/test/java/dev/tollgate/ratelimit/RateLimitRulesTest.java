package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The tiers of the paths, the GCRA arithmetic and the memory store, without the application. */
class RateLimitRulesTest {

    static final long SECOND = 1_000_000;

    @Test
    void everyApiCallIsInExactlyOneTierAndNothingElseIsLimited() {
        // Everything that starts or records one chat message, whichever way the app meters it.
        assertThat(Tier.of("POST", "/v1/chat/completions")).isEqualTo(Tier.MESSAGES);
        assertThat(Tier.of("POST", "/api/credit/reservations")).isEqualTo(Tier.MESSAGES);
        assertThat(Tier.of("POST", "/api/credit/charges")).isEqualTo(Tier.MESSAGES);
        // Money moved by people.
        assertThat(Tier.of("POST", "/api/admin/credit/adjustments")).isEqualTo(Tier.SENSITIVE);
        assertThat(Tier.of("POST", "/api/credit/purchases")).isEqualTo(Tier.SENSITIVE);
        assertThat(Tier.of("POST", "/api/admin/purchases/3f0c/refund")).isEqualTo(Tier.SENSITIVE);
        assertThat(Tier.of("PUT", "/api/credit/auto-top-up")).isEqualTo(Tier.SENSITIVE);
        assertThat(Tier.of("GET", "/api/credit/auto-top-up")).isEqualTo(Tier.GENERAL);
        // A payment provider's deliveries, in a budget of their own.
        assertThat(Tier.of("POST", "/api/webhooks/stripe")).isEqualTo(Tier.WEBHOOKS);
        assertThat(Tier.of("GET", "/api/credit/purchases")).isEqualTo(Tier.GENERAL);
        // Variants of a path reach the same resource, so they are in the same tier.
        assertThat(Tier.of("post", "//api/credit//charges/")).isEqualTo(Tier.MESSAGES);
        assertThat(Tier.of("POST", "api/credit/charges")).isEqualTo(Tier.MESSAGES);
        assertThat(Tier.of("POST", "/api/admin//credit/adjustments/")).isEqualTo(Tier.SENSITIVE);
        // Settle and release finish a message already counted.
        assertThat(Tier.of("POST", "/api/credit/reservations/0b5c/settle")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("POST", "/api/credit/reservations/0b5c/release")).isEqualTo(Tier.GENERAL);
        // Another method, or a path that only starts like a limited one, is general.
        assertThat(Tier.of("GET", "/api/credit/charges")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("GET", "/api/credit/reservations")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("POST", "/api/credit/charges/extra")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("POST", "/api/credit")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("POST", "/api/credit/pre-check")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of(null, "/api/credit/charges")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("GET", "/api/credit/balance")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("PUT", "/api/admin/pricing/gpt-4o")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("POST", "/api/admin/jobs/refresh")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("GET", "/api")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("GET", "/v1/models")).isEqualTo(Tier.GENERAL);
        assertThat(Tier.of("GET", "/q/health")).isNull();
        assertThat(Tier.of("GET", "/q/metrics")).isNull();
        assertThat(Tier.of("POST", "/q/chat/completions")).isNull();
        assertThat(Tier.of("GET", "/apis")).isNull();
        assertThat(Tier.of("GET", "/")).isNull();
        assertThat(Tier.of("GET", null)).isNull();
    }

    @Test
    void theKeysOfTheTiersAreTheirConfigAndMetricNames() {
        assertThat(Tier.GENERAL.key()).isEqualTo("general");
        assertThat(Tier.MESSAGES.key()).isEqualTo("messages");
        assertThat(Tier.SENSITIVE.key()).isEqualTo("sensitive");
        assertThat(Tier.WEBHOOKS.key()).isEqualTo("webhooks");
    }

    @Test
    void aRuleNamesOneMethodAndPathWhereAStarIsAnyOneSegment() {
        Tier.Rule members = Tier.rule(Tier.SENSITIVE, "PUT /api/teams/*/members/*");
        assertThat(members.matches("PUT", "/api/teams/t-1/members/u-2")).isTrue();
        assertThat(members.matches("put", "/api/teams/t-1/members/u-2")).isTrue();
        assertThat(members.matches("POST", "/api/teams/t-1/members/u-2")).isFalse();
        assertThat(members.matches("PUT", "/api/teams/t-1/members")).isFalse();
        assertThat(members.matches("PUT", "/api/teams/t-1/members/u-2/role")).isFalse();
        assertThat(members.matches("PUT", "/api/teams/t-1/owners/u-2")).isFalse();
        assertThat(members.matches("PUT", "/api/teams/members/u-2")).isFalse();
        Tier.Rule exact = Tier.rule(Tier.SENSITIVE, "POST /api/admin/credit/adjustments");
        assertThat(exact.matches("POST", "/api/admin/credit/adjustments")).isTrue();
        assertThat(exact.matches("POST", "/api/admin/credit")).isFalse();
        assertThat(exact.matches("POST", "/api/admin/credit/adjustmentsx")).isFalse();
    }

    @Test
    void aFullBurstIsAdmittedThenOneRequestPerInterval() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        MemoryRateLimitStore store = new MemoryRateLimitStore(now::get, 1_000);
        Quota quota = new Quota(10, Duration.ofMinutes(5));
        for (int i = 1; i <= 10; i++) {
            Decision decision = store.acquire(Tier.SENSITIVE, "k", quota);
            assertThat(decision.admitted()).isTrue();
            assertThat(decision.remaining()).isEqualTo(10 - i);
            assertThat(decision.resetSeconds()).isEqualTo(30L * i);
        }
        Decision refused = store.acquire(Tier.SENSITIVE, "k", quota);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(30);
        assertThat(refused.resetSeconds()).isEqualTo(300);
        // A refusal costs nothing: still refused a moment before the interval is over, admitted after.
        now.addAndGet(30 * SECOND - 1);
        assertThat(store.acquire(Tier.SENSITIVE, "k", quota).admitted()).isFalse();
        now.addAndGet(1);
        Decision next = store.acquire(Tier.SENSITIVE, "k", quota);
        assertThat(next.admitted()).isTrue();
        assertThat(next.remaining()).isZero();
        // After a whole period of silence the whole burst is back.
        now.addAndGet(300 * SECOND);
        assertThat(store.acquire(Tier.SENSITIVE, "k", quota).remaining()).isEqualTo(9);
    }

    @Test
    void aLimitThatDoesNotDivideThePeriodStillAllowsItsWholeBurst() {
        AtomicLong now = new AtomicLong(0);
        MemoryRateLimitStore store = new MemoryRateLimitStore(now::get, 1_000);
        Quota quota = new Quota(7, Duration.ofMinutes(1));
        long admitted = 0;
        for (int i = 0; i < 20; i++) {
            if (store.acquire(Tier.GENERAL, "k", quota).admitted()) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(7);
    }

    @Test
    void callersAndTiersHaveBucketsOfTheirOwn() {
        assertThat(Caller.user("alice").bucketKey(Tier.MESSAGES)).isEqualTo("messages|u:alice");
        assertThat(Caller.anonymous("203.0.113.9").bucketKey(Tier.GENERAL)).isEqualTo("general|ip:203.0.113.9");
        assertThat(Caller.anonymous(null).bucketKey(Tier.GENERAL)).isEqualTo("general|ip:unknown");
        // A user id that looks like an IP key is still a user's bucket.
        assertThat(Caller.user("ip:203.0.113.9").bucketKey(Tier.GENERAL)).isNotEqualTo(
                Caller.anonymous("203.0.113.9").bucketKey(Tier.GENERAL));
    }

    @Test
    void theMemoryStoreStaysBounded() {
        AtomicLong now = new AtomicLong(0);
        MemoryRateLimitStore store = new MemoryRateLimitStore(now::get, 1_000);
        Quota quota = new Quota(100, Duration.ofMinutes(1));
        for (int i = 0; i < 10_000; i++) {
            store.acquire(Tier.GENERAL, "caller-" + i, quota);
            now.addAndGet(10);
        }
        assertThat(store.size()).isLessThanOrEqualTo(1_000);
        now.addAndGet(3_600 * SECOND);
        assertThat(store.purge(Integer.MAX_VALUE)).isPositive();
        assertThat(store.size()).isZero();
    }

    @Test
    void aQuotaAllowsAtLeastOneRequest() {
        assertThatThrownBy(() -> new Quota(0, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Quota(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
