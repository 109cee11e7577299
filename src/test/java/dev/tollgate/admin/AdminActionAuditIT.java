package dev.tollgate.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AdminActionAuditTest}, against the packaged application. */
@QuarkusIntegrationTest
class AdminActionAuditIT extends AdminActionAuditTest {
}
