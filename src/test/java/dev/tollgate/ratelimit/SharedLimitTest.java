package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.TestDatabase;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Two instances of the limiter — two PostgreSQL stores on two connection pools of their own, as
 * two application instances would have — racing for one caller's allowance from many threads
 * admit exactly the limit together, never more. (A {@code @QuarkusTest} only so that Flyway has
 * created the table.)
 */
@QuarkusTest
class SharedLimitTest {

    static final int THREADS_PER_INSTANCE = 8;
    static final int ATTEMPTS_PER_THREAD = 15;

    static AgroalDataSource poolA;
    static AgroalDataSource poolB;

    @BeforeAll
    static void pools() throws SQLException {
        poolA = pool();
        poolB = pool();
    }

    @AfterAll
    static void close() {
        poolA.close();
        poolB.close();
    }

    static AgroalDataSource pool() throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(THREADS_PER_INSTANCE)
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl(TestDatabase.jdbcUrl())
                                .principal(new NamePrincipal(TestDatabase.user()))
                                .credential(new SimplePassword(TestDatabase.password())))));
    }

    @Test
    void twoInstancesTogetherAdmitNoMoreThanTheLimit() throws Exception {
        Quota quota = new Quota(25, Duration.ofHours(1));
        String bucket = "sensitive|u:shared-" + UUID.randomUUID();
        long admitted = race(List.of(new PostgresRateLimitStore(poolA), new PostgresRateLimitStore(poolB)), bucket, quota);
        // 240 attempts within the hour: exactly the limit gets through, on whichever instance.
        assertThat(admitted).isEqualTo(quota.limit());
    }

    @Test
    void aSecondCallerIsCountedApart() throws Exception {
        Quota quota = new Quota(10, Duration.ofHours(1));
        PostgresRateLimitStore a = new PostgresRateLimitStore(poolA);
        PostgresRateLimitStore b = new PostgresRateLimitStore(poolB);
        String first = "general|u:first-" + UUID.randomUUID();
        String second = "general|u:second-" + UUID.randomUUID();
        assertThat(race(List.of(a, b), first, quota)).isEqualTo(10);
        assertThat(b.acquire(Tier.GENERAL, first, quota).admitted()).isFalse();
        Decision other = a.acquire(Tier.GENERAL, second, quota);
        assertThat(other.admitted()).isTrue();
        assertThat(other.remaining()).isEqualTo(9);
    }

    @Test
    void aRefusalSaysWhenTheNextRequestIsAdmitted() {
        Quota quota = new Quota(2, Duration.ofMinutes(10));
        PostgresRateLimitStore store = new PostgresRateLimitStore(poolA);
        String bucket = "messages|ip:" + UUID.randomUUID();
        assertThat(store.acquire(Tier.MESSAGES, bucket, quota).remaining()).isEqualTo(1);
        assertThat(store.acquire(Tier.MESSAGES, bucket, quota).remaining()).isZero();
        Decision refused = store.acquire(Tier.MESSAGES, bucket, quota);
        assertThat(refused.admitted()).isFalse();
        // One request frees up every 5 minutes; the whole allowance is back after 10.
        assertThat(refused.retryAfterSeconds()).isBetween(299L, 300L);
        assertThat(refused.resetSeconds()).isBetween(599L, 600L);
    }

    /** Every thread of every store tries {@link #ATTEMPTS_PER_THREAD} times at once; returns how many were admitted. */
    static long race(List<PostgresRateLimitStore> stores, String bucket, Quota quota) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(stores.size() * THREADS_PER_INSTANCE);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (PostgresRateLimitStore store : stores) {
                for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        int admitted = 0;
                        for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
                            if (store.acquire(Tier.SENSITIVE, bucket, quota).admitted()) {
                                admitted++;
                            }
                        }
                        return admitted;
                    }));
                }
            }
            start.countDown();
            long admitted = 0;
            for (Future<Integer> result : results) {
                admitted += result.get(60, TimeUnit.SECONDS);
            }
            return admitted;
        } finally {
            pool.shutdownNow();
        }
    }
}
