package dev.tollgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link SecurityHeadersTest}, against the packaged application. */
@QuarkusIntegrationTest
class SecurityHeadersIT extends SecurityHeadersTest {
}
