package dev.tollgate.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.JwtContext;
import org.junit.jupiter.api.Test;

/** The token type and the issue time, the two claims Tollgate checks beyond Quarkus OIDC. */
class TokenClaimChecksTest {

    static final long NOW = 1_800_000_000L;

    static JwtContext token(String type, Long issuedAt) {
        JwtClaims claims = new JwtClaims();
        if (type != null) {
            claims.setClaim("typ", type);
        }
        if (issuedAt != null) {
            claims.setIssuedAt(NumericDate.fromSeconds(issuedAt));
        }
        return new JwtContext(claims.toJson(), claims, java.util.List.of());
    }

    static TokenClaimChecks checks(String tokenType) {
        return TokenClaimChecks.of(Optional.ofNullable(tokenType), 30, () -> NOW);
    }

    @Test
    void onlyTheConfiguredTokenTypePasses() throws Exception {
        TokenClaimChecks checks = checks("Bearer");

        assertThat(checks.validate(token("Bearer", NOW))).isNull();
        assertThat(checks.validate(token("ID", NOW))).contains("typ");
        assertThat(checks.validate(token("Refresh", NOW))).contains("typ");
        assertThat(checks.validate(token("bearer", NOW))).as("compared exactly").contains("typ");
        assertThat(checks.validate(token(null, NOW))).as("no typ claim at all").contains("typ");
    }

    @Test
    void aTypClaimThatIsNotAStringDoesNotPass() throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setClaim("typ", java.util.List.of("Bearer"));

        assertThat(checks("Bearer").validate(new JwtContext(claims.toJson(), claims, java.util.List.of()))).contains("typ");
    }

    @Test
    void noneOrEmptyTurnsTheTypeCheckOff() throws Exception {
        for (String off : new String[] { "none", "NONE", "", " " }) {
            assertThat(checks(off).validate(token("ID", NOW))).as("token-type=%s", off).isNull();
            assertThat(checks(off).validate(token(null, NOW))).as("token-type=%s", off).isNull();
        }
        assertThat(checks(null).validate(token("ID", NOW))).isNull();
    }

    @Test
    void anIssueTimeUpToTheToleranceAheadOfTheClockPasses() throws Exception {
        TokenClaimChecks checks = checks("Bearer");

        assertThat(checks.validate(token("Bearer", NOW + 30))).isNull();
        assertThat(checks.validate(token("Bearer", NOW + 31))).contains("iat");
        assertThat(checks.validate(token("Bearer", NOW + 300))).contains("iat");
        assertThat(checks.validate(token("Bearer", NOW - 3_600))).isNull();
        assertThat(checks.validate(token("Bearer", null))).as("iat required by OIDC itself, not here").isNull();
    }
}
