package dev.tollgate.team;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.membership.TeamRole;
import dev.tollgate.membership.TeamStore;

/** What the team calls answer. */
public final class TeamViews {

    private TeamViews() {
    }

    /** A team, with the caller's role and, for its owners and managers, its members. */
    public record Team(UUID teamId, String account, String name, String claimValue, TeamRole role, Instant createdAt,
            List<Member> members) {
    }

    /**
     * A member and their spending in the pool's current period: what their calls cost, what their
     * live holds set aside, and what their cap leaves (null without a cap).
     */
    @Schema(name = "TeamMember")
    public record Member(String userId, TeamRole role, Long capMillicredits, long spentMillicredits,
            long heldMillicredits, Long remainingMillicredits, boolean fromClaim, Instant joinedAt) {

        static Member of(TeamStore.Member row) {
            Long remaining = row.capMillicredits() == null ? null
                    : Math.max(0, row.capMillicredits() - row.spentMillicredits() - row.heldMillicredits());
            return new Member(row.userId(), row.role(), row.capMillicredits(), row.spentMillicredits(),
                    row.heldMillicredits(), remaining, row.fromClaim(), row.joinedAt());
        }
    }

    /** The pool's balance and period, with every member's spending in it. */
    @Schema(name = "TeamBalance")
    public record Balance(UUID teamId, String account, String plan, Instant periodStart, BalanceSnapshot balance,
            List<Member> members) {
    }

    /** What each member's calls on the pool cost in a time range. */
    @Schema(name = "TeamUsage")
    public record Usage(UUID teamId, Instant from, Instant to, long totalCostMillicredits, long calls,
            List<MemberUsage> members) {
    }

    @Schema(name = "TeamMemberUsage")
    public record MemberUsage(String userId, long calls, long costMillicredits, long totalTokens) {
    }

    /** A deleted team: the purchased credits moved back to its owner. */
    @Schema(name = "TeamDeleted")
    public record Deleted(UUID teamId, String movedTo, long movedMillicredits) {
    }
}
