package dev.tollgate.grant;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.tollgate.ledger.AdminMutation;
import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.GrantLot;
import dev.tollgate.ledger.GrantTerms;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Operation;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;

/**
 * Grants a lot of expiring credits to a user through the ledger, in one transaction, opening the
 * account if the user has none. The GRANT entry names the admin as actor, the lot and, in its
 * metadata, the reason.
 *
 * <p>Idempotency: as for adjustments, the admin's key is stored as {@code tollgate:grant:<key>}
 * ({@link AdminMutation}) in the target account's ledger, out of reach of the user's own keys; the
 * fingerprint covers the admin and the request. A retry answers the stored grant; any other
 * request under the key is a 409.
 */
@ApplicationScoped
public class GrantService {

    /** A grant's key is stored as {@code tollgate:grant:<key>}. */
    static final AdminMutation.Kind KIND = new AdminMutation.Kind("grant", "admin-grant", "a grant",
            "An admin cannot grant credits to themselves; another admin must do it.");
    /** How far ahead a grant may expire: ten years, beyond which an expiry is a typo. */
    static final Duration MAX_LIFETIME = Duration.ofDays(3650);
    private static final Logger LOG = Logger.getLogger(GrantService.class);

    @Inject
    Ledger ledger;

    @Inject
    IdempotentMutations mutations;

    @Inject
    Clock clock;

    /** The fingerprinted request: who asks and what; serialized outside REST, hence registered. */
    @RegisterForReflection
    record Fingerprinted(String admin, GrantRequest request) {
    }

    public Answer<GrantResponse> grant(String adminId, IdempotencyKey key, GrantRequest request, RequestOrigin origin) {
        AdminMutation grant = AdminMutation.of(KIND, adminId, request.userId(), key, new Fingerprinted(adminId, request),
                request.reason(), origin);
        String actor = grant.actor();
        Answer<GrantResponse> answer = mutations.apply(
                () -> {
                    checkExpiry(request);
                    GrantTerms terms = new GrantTerms(Millicredits.of(request.amountMillicredits()), request.expiresAt(),
                            request.priorityOrDefault(), actor, request.reason());
                    return response(ledger.grantLot(request.userId(), terms, grant.mutation()).entry(), request, actor, key);
                },
                grant.replayed(ledger, Operation.GRANT, entry -> response(entry, request, actor, key)));
        if (!answer.replayed()) {
            LOG.infof("admin %s granted %d millicredits to user %s until %s (lot %s)", adminId,
                    request.amountMillicredits(), request.userId(), request.expiresAt(), answer.value().lotId());
        }
        return answer;
    }

    /** Checked inside the call, so that a replay of a grant whose expiry has passed since still answers. */
    private void checkExpiry(GrantRequest request) {
        var now = clock.instant();
        if (!request.expiresAt().isAfter(now)) {
            throw GrantProblem.expiryNotInFuture();
        }
        if (request.expiresAt().isAfter(now.plus(MAX_LIFETIME))) {
            throw GrantProblem.expiryTooFar(MAX_LIFETIME.toDays());
        }
    }

    private static GrantResponse response(LedgerEntry entry, GrantRequest request, String actor, IdempotencyKey key) {
        GrantLot lot = GrantLot.<GrantLot> find("entryId", entry.id()).firstResult();
        long amount = request.amountMillicredits();
        return new GrantResponse(lot.id, entry.id(), request.userId(), amount, Millicredits.of(amount).credits(),
                lot.expiresAt, lot.priority, lot.reason, actor, BalanceSnapshot.of(entry.after()), key.value(),
                entry.createdAt());
    }
}
