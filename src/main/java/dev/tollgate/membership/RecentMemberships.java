package dev.tollgate.membership;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The members who spent from a pool in the last few seconds ({@code tollgate.teams.membership-cache-ttl}),
 * so that the calls of a busy pool skip the membership read before their transaction. It only
 * saves that read: the charge or hold itself checks, in its transaction, that the caller is an
 * active member ({@code ledger.MemberSpending}), and deleting a team removes its members, so a
 * removal or a deletion takes effect at once, cached or not. Only yes is remembered.
 */
@ApplicationScoped
public class RecentMemberships {

    /** Past this many entries the map is emptied: a bound, not an eviction policy. */
    static final int MAX_ENTRIES = 100_000;

    private record Key(UUID teamId, String userId) {
    }

    private final Map<Key, Long> seenUntilNanos = new ConcurrentHashMap<>();

    @Inject
    TeamsConfig config;

    /** Whether the user was found an active member of the team within the time to live. */
    boolean isRecentMember(UUID teamId, String userId) {
        Long until = seenUntilNanos.get(new Key(teamId, userId));
        return until != null && until - System.nanoTime() > 0;
    }

    void remember(UUID teamId, String userId) {
        Duration ttl = config.membershipCacheTtl();
        if (ttl.isZero() || ttl.isNegative()) {
            return;
        }
        if (seenUntilNanos.size() >= MAX_ENTRIES) {
            seenUntilNanos.clear();
        }
        seenUntilNanos.put(new Key(teamId, userId), System.nanoTime() + ttl.toNanos());
    }
}
