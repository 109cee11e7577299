package dev.tollgate.team;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.ledger.AdminAction;
import dev.tollgate.ledger.AdminActionLog;
import dev.tollgate.ledger.CreditHold;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Payer;
import dev.tollgate.membership.TeamAccess;
import dev.tollgate.membership.TeamProblem;
import dev.tollgate.membership.TeamRole;
import dev.tollgate.membership.TeamStore;
import dev.tollgate.membership.TeamsConfig;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;

/**
 * Creates teams and changes their members, roles and caps, and deletes them, under the rules of
 * {@link TeamRole}. An admin who is not an owner may do everything, with a reason, which the audit
 * log keeps as a {@link AdminAction#TEAM_CHANGE} row in the change's transaction. Changes of a
 * team's members lock its member rows first, so that two changes of roles are applied one after
 * the other and the team always keeps an owner.
 *
 * <p>Membership changes set a state ({@code PUT} a member's role and cap, {@code DELETE} a member
 * or the team): a retry changes nothing more. Creating a team is under the creator's idempotency
 * key: a retry answers the same team.
 */
@ApplicationScoped
public class TeamService {

    static final String OPERATION = "create-team";
    private static final Logger LOG = Logger.getLogger(TeamService.class);

    @Inject
    TeamStore store;

    @Inject
    TeamAccess access;

    @Inject
    TeamsConfig config;

    @Inject
    Ledger ledger;

    @Inject
    IdempotentMutations mutations;

    @Inject
    Transactions transactions;

    @Inject
    AdminActionLog adminActions;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    public Answer<TeamViews.Team> create(IdempotencyKey key, TeamRequests.Create request) {
        String creator = access.userId();
        checkInitialMembers(creator, request.membersOrNone());
        if (request.claimValue() != null && !claimIsCallers(request.claimValue()) && !access.callerIsAdmin()) {
            throw new InvalidRequestException("claimValue: the caller's own token must carry it in the membership claim");
        }
        IdempotentRequest create = IdempotentRequest.of(key, OPERATION, request);
        return mutations.apply(() -> {
            if (request.claimValue() != null && store.withClaimValue(request.claimValue()).isPresent()) {
                throw TeamProblem.refused("Another team has this claimValue already.");
            }
            UUID id = UUID.randomUUID();
            String account = Payer.TEAM_ACCOUNT_PREFIX + id;
            Instant now = clock.instant();
            ledger.ensureAccount(account);
            TeamStore.Team team = new TeamStore.Team(id, account, request.name().strip(), request.claimValue(), creator,
                    create.requestHash(), now, null);
            store.insertTeam(team, create.key());
            store.putMember(account, creator, TeamRole.OWNER, null, false, now);
            for (TeamRequests.Member member : request.membersOrNone()) {
                store.putMember(account, member.userId(), member.roleOrMember(), member.capMillicredits(), false, now);
            }
            LOG.infof("user %s created team %s", creator, id);
            return view(team, TeamRole.OWNER);
        }, Repeat.replayed(create, storedKey -> store.createdUnder(creator, storedKey), team -> true,
                team -> view(team, TeamRole.OWNER)));
    }

    /** The live teams the caller is a member of (joining the one their token's claim names). */
    public List<TeamViews.Team> mine() {
        return transactions.inNewTransaction(() -> {
            access.claimedTeam().ifPresent(team -> access.standing(team.id()));
            return store.teamsOf(access.userId()).stream()
                    .map(team -> view(team, store.member(team.accountId(), access.userId()).orElseThrow().role()))
                    .toList();
        });
    }

    public TeamViews.Team get(UUID teamId) {
        return transactions.inNewTransaction(() -> {
            TeamAccess.Standing standing = access.standing(teamId);
            return view(standing.team(), standing.role());
        });
    }

    /** Sets a member's role and cap, adding them if they are not an active member. */
    public TeamViews.Member putMember(UUID teamId, String userId, TeamRequests.MemberSettings settings, String reason,
            RequestOrigin origin) {
        return transactions.inNewTransaction(() -> {
            TeamAccess.Standing standing = access.standing(teamId);
            String account = standing.team().accountId();
            store.lockMembers(account);
            Optional<TeamStore.Member> existing = store.member(account, userId).filter(TeamStore.Member::active);
            TeamRole current = existing.map(TeamStore.Member::role).orElse(null);
            TeamRole role = settings.role() != null ? settings.role() : current != null ? current : TeamRole.MEMBER;
            boolean rolesChange = current == null ? role != TeamRole.MEMBER : role != current;
            boolean touchesOwner = current == TeamRole.OWNER;
            TeamRole needed = rolesChange || touchesOwner ? TeamRole.OWNER : TeamRole.MANAGER;
            authorize(standing, needed, rolesChange ? "Managing roles" : "Managing members and caps", reason, origin,
                    "put-member", userId);
            if (current == TeamRole.OWNER && role != TeamRole.OWNER) {
                requireAnotherOwner(account, userId);
            }
            if (current == null && store.activeMembers(account).size() >= config.maxMembers()) {
                throw TeamProblem.refused("A team has at most " + config.maxMembers() + " members.");
            }
            store.putMember(account, userId, role, settings.capMillicredits(), false, clock.instant());
            return TeamViews.Member.of(store.member(account, userId).orElseThrow());
        });
    }

    /**
     * Removes a member: new calls on the pool are refused to them; a call they started may still
     * settle. Members may leave on their own; the last owner may not.
     */
    public void removeMember(UUID teamId, String userId, String reason, RequestOrigin origin) {
        transactions.inNewTransaction(() -> {
            TeamAccess.Standing standing = access.standing(teamId);
            String account = standing.team().accountId();
            store.lockMembers(account);
            Optional<TeamStore.Member> existing = store.member(account, userId).filter(TeamStore.Member::active);
            if (existing.isEmpty()) {
                return null;
            }
            boolean leaving = userId.equals(access.userId()) && standing.role() != null;
            if (!leaving) {
                TeamRole needed = existing.get().role() == TeamRole.OWNER ? TeamRole.OWNER : TeamRole.MANAGER;
                authorize(standing, needed, "Removing members", reason, origin, "remove-member", userId);
            }
            if (existing.get().role() == TeamRole.OWNER) {
                requireAnotherOwner(account, userId);
            }
            store.removeMember(account, userId, clock.instant());
            return null;
        });
    }

    /**
     * Deletes a team: its purchased credits that no hold needs move to its owner (the caller, or
     * for an admin the first owner), and no call can charge its pool any more. Refused while calls
     * on the pool are on hold.
     */
    public TeamViews.Deleted delete(UUID teamId, String reason, RequestOrigin origin) {
        return transactions.inNewTransaction(() -> {
            TeamAccess.Standing standing = access.standing(teamId);
            authorize(standing, TeamRole.OWNER, "Deleting the team", reason, origin, "delete-team", null);
            String account = standing.team().accountId();
            if (CreditHold.count("userId = ?1 and status = ?2", account, CreditHold.Status.HELD) > 0) {
                throw TeamProblem.refused("Calls on the team's pool are on hold; delete the team once they are settled.");
            }
            String owner = standing.role() == TeamRole.OWNER ? access.userId()
                    : store.activeMembers(account).stream().filter(m -> m.role() == TeamRole.OWNER).findFirst()
                            .orElseThrow().userId();
            long moved = ledger.transferPurchased(account, owner, DerivedKey.of("team-deleted", teamId.toString()),
                    Mutation.system(actor(standing)).withMetadata(transferMetadata(teamId, owner)))
                    .map(Ledger.Transfer::amountMillicredits).orElse(0L);
            store.markDeleted(teamId, clock.instant());
            LOG.infof("team %s deleted by %s; %d purchased millicredits moved to %s", teamId, access.userId(), moved, owner);
            return new TeamViews.Deleted(teamId, owner, moved);
        });
    }

    /** Refuses a caller whose role does not allow the change; an admin's change is audited with its reason. */
    private void authorize(TeamAccess.Standing standing, TeamRole needed, String what, String reason,
            RequestOrigin origin, String change, String member) {
        if (standing.allows(needed)) {
            return;
        }
        if (!standing.admin()) {
            throw TeamProblem.roleRequired(needed, standing.role(), what);
        }
        if (reason == null || reason.isBlank()) {
            throw TeamProblem.reasonRequired();
        }
        ObjectNode details = json.createObjectNode().put("teamId", standing.team().id().toString()).put("change", change);
        if (member != null) {
            details.put("member", member);
        }
        adminActions.record(AdminAction.TEAM_CHANGE, AdminActionLog.ADMIN_ACTOR_PREFIX + access.userId(), reason, details,
                origin);
    }

    private String actor(TeamAccess.Standing standing) {
        return (standing.role() == TeamRole.OWNER ? "user:" : AdminActionLog.ADMIN_ACTOR_PREFIX) + access.userId();
    }

    private String transferMetadata(UUID teamId, String owner) {
        return json.createObjectNode().put("reason", "team deleted").put("teamId", teamId.toString())
                .put("owner", owner).toString();
    }

    private void requireAnotherOwner(String account, String leavingOwner) {
        boolean another = store.activeMembers(account).stream()
                .anyMatch(m -> m.role() == TeamRole.OWNER && !m.userId().equals(leavingOwner));
        if (!another) {
            throw TeamProblem.refused("A team keeps at least one owner; make another member owner first.");
        }
    }

    private boolean claimIsCallers(String claimValue) {
        return access.callerClaimValue().filter(claimValue::equals).isPresent();
    }

    private static void checkInitialMembers(String creator, List<TeamRequests.Member> members) {
        Set<String> seen = new HashSet<>(Set.of(creator));
        for (TeamRequests.Member member : members) {
            if (member.userId().startsWith(Payer.TEAM_ACCOUNT_PREFIX)) {
                throw new InvalidRequestException("members: " + member.userId() + " is not a user id");
            }
            if (!seen.add(member.userId())) {
                throw new InvalidRequestException("members: " + member.userId() + " is named twice (the creator is the owner)");
            }
        }
    }

    /** A team as the caller sees it: owners and managers see every member, a member only themselves. */
    TeamViews.Team view(TeamStore.Team team, TeamRole role) {
        List<TeamViews.Member> members = store.activeMembers(team.accountId()).stream()
                .filter(m -> role == null || role.managesMembers() || m.userId().equals(access.userId()))
                .map(TeamViews.Member::of).toList();
        return new TeamViews.Team(team.id(), team.accountId(), team.name(), team.claimValue(), role, team.createdAt(),
                members);
    }
}
