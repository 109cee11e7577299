package dev.tollgate.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AdminAccountTest}, against the packaged application. */
@QuarkusIntegrationTest
class AdminAccountIT extends AdminAccountTest {
}
