package dev.tollgate.testing;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

/**
 * The tokens every endpoint behind authentication refuses with 401, by name: none at all, expired,
 * signed by a key the provider does not publish, of another issuer or audience, unsigned, and not a
 * token. Each is made for the subject it would name.
 */
public final class BadTokens {

    private record BadToken(String name, Function<String, String> forSubject) {
    }

    private static final List<BadToken> ALL = List.of(
            new BadToken("no token", subject -> null),
            new BadToken("expired", Tokens::expired),
            new BadToken("another key", Tokens::signedByAnotherKey),
            new BadToken("wrong issuer", Tokens::wrongIssuer),
            new BadToken("wrong audience", Tokens::wrongAudience),
            new BadToken("alg none", Tokens::unsigned),
            new BadToken("garbage", subject -> "not-a-jwt"));

    private BadTokens() {
    }

    /** Every endpoint with every bad token, endpoint by endpoint: (endpoint, token name, token for a subject). */
    public static Stream<Arguments> withEach(List<?> endpoints) {
        return endpoints.stream().flatMap(endpoint -> ALL.stream()
                .map(bad -> Arguments.of(endpoint, bad.name(), bad.forSubject())));
    }
}
