package dev.tollgate.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AuditTest}, against the packaged application. */
@QuarkusIntegrationTest
class AuditIT extends AuditTest {
}
