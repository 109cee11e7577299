package dev.tollgate.membership;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonString;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.platform.security.CurrentUser;

/**
 * The caller's standing in a team: their role as an active member (given by an owner or manager,
 * or by the membership claim of their token), or an admin's. Anyone else is answered 403
 * {@code not-a-team-member}, whether or not the team exists, so that team ids cannot be probed.
 * Runs inside the caller's transaction: a membership that comes from the claim is written on first
 * use.
 */
@RequestScoped
public class TeamAccess {

    @Inject
    CurrentUser user;

    @Inject
    JsonWebToken token;

    @Inject
    TeamStore store;

    @Inject
    TeamsConfig config;

    @Inject
    Clock clock;

    /** Who the caller is in a team: the team, and their role (null for an admin who is not a member). */
    public record Standing(TeamStore.Team team, TeamRole role, boolean admin) {

        public boolean allows(TeamRole needed) {
            return role != null && switch (needed) {
                case OWNER -> role == TeamRole.OWNER;
                case MANAGER -> role.managesMembers();
                case MEMBER -> true;
            };
        }
    }

    /** The caller's standing in a live team; 403 if they have none (404 for an admin and a team that is not there). */
    public Standing standing(UUID teamId) {
        Optional<TeamStore.Team> team = store.team(teamId).filter(t -> !t.deleted());
        Optional<TeamRole> role = team.flatMap(this::roleOf);
        if (role.isPresent()) {
            return new Standing(team.get(), role.get(), user.isAdmin());
        }
        if (user.isAdmin()) {
            return new Standing(team.orElseThrow(TeamProblem::notFound), null, true);
        }
        throw LedgerRuleException.notAMember();
    }

    /** The caller's active membership of the team, joining it first if their token's claim names it. */
    private Optional<TeamRole> roleOf(TeamStore.Team team) {
        Optional<TeamStore.Member> member = store.member(team.accountId(), user.id());
        if (member.isEmpty() && claimNames(team)) {
            store.joinByClaim(team.accountId(), user.id(), clock.instant());
            member = store.member(team.accountId(), user.id());
        }
        return member.filter(TeamStore.Member::active).map(TeamStore.Member::role);
    }

    /** The team the caller's token claim names, if the claim is configured and the team exists. */
    public Optional<TeamStore.Team> claimedTeam() {
        return claimValue().flatMap(store::withClaimValue);
    }

    private boolean claimNames(TeamStore.Team team) {
        return team.claimValue() != null && claimValue().filter(team.claimValue()::equals).isPresent();
    }

    /** The value of the membership claim in the caller's token, if the claim is configured and carried. */
    public Optional<String> callerClaimValue() {
        return claimValue();
    }

    private Optional<String> claimValue() {
        return config.membershipClaim().map(claim -> token.<Object> getClaim(claim)).flatMap(TeamAccess::text)
                .filter(value -> !value.isBlank());
    }

    /** A claim's value as text, if it is a string (the token library answers JSON strings either way). */
    private static Optional<String> text(Object claim) {
        if (claim instanceof String value) {
            return Optional.of(value);
        }
        return claim instanceof JsonString value ? Optional.of(value.getString()) : Optional.empty();
    }

    public boolean callerIsAdmin() {
        return user.isAdmin();
    }

    /** The caller's user id. */
    public String userId() {
        return user.id();
    }

    public UUID parse(String teamId) {
        try {
            return UUID.fromString(teamId);
        } catch (IllegalArgumentException e) {
            throw LedgerRuleException.notAMember();
        }
    }
}
