package dev.tollgate.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AdminAuthorizationTest}, against the packaged application. */
@QuarkusIntegrationTest
class AdminAuthorizationIT extends AdminAuthorizationTest {
}
