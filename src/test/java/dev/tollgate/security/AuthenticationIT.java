package dev.tollgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AuthenticationTest}, against the packaged application. */
@QuarkusIntegrationTest
class AuthenticationIT extends AuthenticationTest {
}
