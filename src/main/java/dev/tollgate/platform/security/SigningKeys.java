package dev.tollgate.platform.security;

import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The key ids of the provider's signing keys, as Quarkus OIDC last fetched them: every key-set
 * (JWKS) response OIDC receives passes through here (an {@link OidcResponseFilter} on the JWKS
 * endpoint), whatever made OIDC fetch it (its start, a token naming a key id it did not know,
 * {@link SigningKeyRefresh}). The cache of verified tokens asks it whether the key a token was
 * verified with is still published ({@link #trusts(String)}), and the refresh how old the key set
 * is. With a key configured locally ({@code quarkus.oidc.public-key}, the dev and bench setups)
 * OIDC fetches no key set, and no key id is refused here.
 */
@OidcEndpoint(OidcEndpoint.Type.JWKS)
@ApplicationScoped
public class SigningKeys implements OidcResponseFilter {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    private record KeySet(Set<String> keyIds, long fetchedAtMillis) {
    }

    /** The last key set OIDC fetched; null until it has fetched one. */
    private volatile KeySet keySet;
    private LongSupplier monotonicMillis = () -> System.nanoTime() / 1_000_000;

    /** Key ids outside CDI, with their own clock (for tests). */
    static SigningKeys of(LongSupplier monotonicMillis) {
        SigningKeys keys = new SigningKeys();
        keys.monotonicMillis = monotonicMillis;
        return keys;
    }

    @Override
    public Uni<Void> filter(OidcResponseFilterContext response) {
        if (response.statusCode() == 200) {
            keyIds(response.responseBody()).ifPresent(this::fetched);
        }
        return Uni.createFrom().voidItem();
    }

    /** Records the key ids of a key set OIDC has just fetched. */
    void fetched(Set<String> keyIds) {
        KeySet previous = keySet;
        keySet = new KeySet(Set.copyOf(keyIds), monotonicMillis.getAsLong());
        if (previous != null && !previous.keyIds().equals(keySet.keyIds())) {
            LOG.infof("Signing keys of the OIDC provider changed: %d key(s), was %d", keyIds.size(), previous.keyIds().size());
        }
    }

    /**
     * Whether a token signed with the key of this id may still be trusted: the provider's last key
     * set has it. Always true when OIDC has fetched no key set (a key configured locally).
     */
    public boolean trusts(String keyId) {
        KeySet keys = keySet;
        return keys == null || keyId != null && keys.keyIds().contains(keyId);
    }

    /** How long ago OIDC last fetched the key set, in milliseconds; empty if it never has. */
    OptionalLong ageMillis() {
        KeySet keys = keySet;
        return keys == null ? OptionalLong.empty() : OptionalLong.of(monotonicMillis.getAsLong() - keys.fetchedAtMillis());
    }

    /** The {@code kid} of every key in a JWKS document; empty if the body is not one. */
    static Optional<Set<String>> keyIds(Buffer body) {
        if (body == null) {
            return Optional.empty();
        }
        try {
            JsonArray keys = body.toJsonObject().getJsonArray("keys");
            if (keys == null) {
                return Optional.empty();
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < keys.size(); i++) {
                if (keys.getValue(i) instanceof JsonObject key && key.getValue("kid") instanceof String kid) {
                    ids.add(kid);
                }
            }
            return Optional.of(ids);
        } catch (DecodeException | ClassCastException e) {
            return Optional.empty();
        }
    }
}
