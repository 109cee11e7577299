package dev.tollgate.testing;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Real signed JWTs for the tests, signed with the key of the Quarkus OIDC test server (whose
 * JWKS the application fetches), plus the bad tokens every endpoint must refuse. A good token is
 * an access token as Keycloak issues it: {@code "typ": "Bearer"} among its claims.
 */
public final class Tokens {

    public static final String ISSUER = "https://server.example.com";
    public static final String AUDIENCE = "tollgate";
    /** The {@code typ} claim of Keycloak's access tokens. */
    public static final String ACCESS_TOKEN_TYPE = "Bearer";
    /** The key id of the test server's signing key in its JWKS. */
    public static final String KEY_ID = "1";
    private static final String SIGNING_KEY = "privateKey.jwk";

    private Tokens() {
    }

    public static String user(String subject) {
        return sign(claims(subject, Set.of("user")));
    }

    public static String admin(String subject) {
        return sign(claims(subject, Set.of("user", "admin")));
    }

    public static String expired(String subject) {
        return sign(claims(subject, Set.of("user")).issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)));
    }

    /** A valid user token whose {@code exp} is the given number of seconds from now. */
    public static String userExpiringIn(String subject, long seconds) {
        return sign(claims(subject, Set.of("user")).expiresAt(Instant.now().plusSeconds(seconds)));
    }

    /** A user token with its claims changed by {@code change} (for expiry and issue times, say). */
    public static String user(String subject, UnaryOperator<JwtClaimsBuilder> change) {
        return sign(change.apply(claims(subject, Set.of("user"))));
    }

    /** A user token signed by {@code key} and naming {@code keyId} in its header (for key rotation). */
    public static String userSignedBy(String subject, String keyId, PrivateKey key) {
        return claims(subject, Set.of("user")).jws().keyId(keyId).sign(key);
    }

    /**
     * An ID token as Keycloak issues it ({@code "typ": "ID"}) to a client that is also the API's
     * audience: right issuer, audience and key, valid in every way but its type.
     */
    public static String idToken(String subject) {
        return sign(claims(subject, Set.of("user")).claim("typ", "ID"));
    }

    public static String wrongIssuer(String subject) {
        return sign(claims(subject, Set.of("user")).issuer("https://attacker.example.com"));
    }

    public static String wrongAudience(String subject) {
        return sign(claims(subject, Set.of("user")).audience("another-service"));
    }

    public static String signedByAnotherKey(String subject) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return claims(subject, Set.of("user")).jws().keyId(KEY_ID).sign(pair.getPrivate());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A token whose header says HS256, signed with a secret of the attacker's (the "algorithm
     * confusion" attack on verifiers that accept whatever algorithm the token names).
     */
    public static String hmacSigned(String subject) {
        javax.crypto.SecretKey secret = new javax.crypto.spec.SecretKeySpec(
                "an-attackers-secret-of-thirty-two-bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256");
        return claims(subject, Set.of("user", "admin")).jws().keyId(KEY_ID)
                .algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.HS256).sign(secret);
    }

    /** A token with {@code alg: none}: header and claims of a valid token, no signature. */
    public static String unsigned(String subject) {
        String[] parts = user(subject).split("\\.");
        String header = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        return header + "." + parts[1] + ".";
    }

    private static JwtClaimsBuilder claims(String subject, Set<String> groups) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).groups(groups).expiresIn(600)
                .claim("typ", ACCESS_TOKEN_TYPE);
    }

    private static String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId(KEY_ID).sign(SIGNING_KEY);
    }
}
