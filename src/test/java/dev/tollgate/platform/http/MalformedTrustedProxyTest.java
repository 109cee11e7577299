package dev.tollgate.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.ConfigOverrides;
import dev.tollgate.testing.TestDatabase;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A trusted proxy that is no IP address or CIDR range stops the start, and says which. */
@QuarkusMainTest
@TestProfile(MalformedTrustedProxyTest.HostNameAsProxy.class)
class MalformedTrustedProxyTest {

    /** A host name: never resolved, so never a trusted proxy. */
    public static class HostNameAsProxy extends ConfigOverrides {
        public HostNameAsProxy() {
            // The test database too: another main test's profile may have left an unreachable one set,
            // and the database is reached (Flyway) before the trusted proxies are read.
            super(Map.of("tollgate.http.trusted-proxies", "127.0.0.1,gateway.example.com",
                    "quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(),
                    "quarkus.datasource.username", TestDatabase.user(),
                    "quarkus.datasource.password", TestDatabase.password()));
        }
    }

    @Test
    @Launch(value = { "job", "expire-holds" }, exitCode = 1)
    void theStartIsRefused(LaunchResult result) {
        assertThat(result.getOutput() + result.getErrorOutput())
                .contains("tollgate.http.trusted-proxies")
                .contains("'gateway.example.com' is not an IP address or a CIDR range")
                .doesNotContain("job expire-holds done");
    }
}
