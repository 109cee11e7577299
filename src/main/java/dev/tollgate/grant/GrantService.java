package dev.tollgate.grant;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.tollgate.ledger.AdminActionLog;
import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.GrantLot;
import dev.tollgate.ledger.GrantTerms;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Operation;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;

/**
 * Grants a lot of expiring credits to a user through the ledger, in one transaction, opening the
 * account if the user has none. The GRANT entry names the admin as actor, the lot and, in its
 * metadata, the reason.
 *
 * <p>Idempotency: as for adjustments, the admin's key is stored as {@code tollgate:grant:<key>}
 * (a {@link DerivedKey}) in the target account's ledger, out of reach of the user's own keys; the
 * fingerprint covers the admin and the request. A retry answers the stored grant; any other
 * request under the key is a 409.
 */
@ApplicationScoped
public class GrantService {

    static final String OPERATION = "admin-grant";
    static final String KEY_KIND = "grant";
    static final int MAX_KEY_LENGTH = 255 - DerivedKey.of(KEY_KIND, "").length();
    /** The width of {@code credit_audit_log.actor}. */
    static final int MAX_ACTOR_LENGTH = 255;
    /** How far ahead a grant may expire: ten years, beyond which an expiry is a typo. */
    static final Duration MAX_LIFETIME = Duration.ofDays(3650);
    private static final Logger LOG = Logger.getLogger(GrantService.class);

    @Inject
    Ledger ledger;

    @Inject
    IdempotentMutations mutations;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    /** The fingerprinted request: who asks and what; serialized outside REST, hence registered. */
    @RegisterForReflection
    record Fingerprinted(String admin, GrantRequest request) {
    }

    public Answer<GrantResponse> grant(String adminId, IdempotencyKey key, GrantRequest request, RequestOrigin origin) {
        if (key.value().length() > MAX_KEY_LENGTH) {
            throw GrantProblem.idempotencyKeyTooLong(MAX_KEY_LENGTH);
        }
        String actor = AdminActionLog.ADMIN_ACTOR_PREFIX + adminId;
        if (actor.length() > MAX_ACTOR_LENGTH) {
            throw GrantProblem.unauditableActor();
        }
        if (adminId.equals(request.userId())) {
            throw GrantProblem.selfGrant();
        }
        IdempotentRequest grant = IdempotentRequest.derived(DerivedKey.of(KEY_KIND, key.value()), OPERATION,
                new Fingerprinted(adminId, request));
        Mutation mutation = new Mutation(grant.key(), grant.requestHash(), actor, origin.clientIp(), origin.userAgent(),
                null, null, metadata(adminId, request));
        Answer<GrantResponse> answer = mutations.apply(
                () -> {
                    checkExpiry(request);
                    GrantTerms terms = new GrantTerms(Millicredits.of(request.amountMillicredits()), request.expiresAt(),
                            request.priorityOrDefault(), actor, request.reason());
                    return response(ledger.grantLot(request.userId(), terms, mutation).entry(), request, actor, key);
                },
                Repeat.replayed(grant, storedKey -> ledger.findByKey(request.userId(), storedKey),
                        entry -> entry.operation() == Operation.GRANT, entry -> response(entry, request, actor, key)));
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

    /** The audit row's metadata, built as a JSON tree: the reason is the admin's text, never spliced into JSON. */
    private String metadata(String adminId, GrantRequest request) {
        ObjectNode metadata = json.createObjectNode();
        metadata.put("reason", request.reason());
        metadata.put("admin", adminId);
        return metadata.toString();
    }

    private static GrantResponse response(LedgerEntry entry, GrantRequest request, String actor, IdempotencyKey key) {
        GrantLot lot = GrantLot.<GrantLot> find("entryId", entry.id()).firstResult();
        long amount = request.amountMillicredits();
        return new GrantResponse(lot.id, entry.id(), request.userId(), amount, Millicredits.of(amount).credits(),
                lot.expiresAt, lot.priority, lot.reason, actor, BalanceSnapshot.of(entry.after()), key.value(),
                entry.createdAt());
    }
}
