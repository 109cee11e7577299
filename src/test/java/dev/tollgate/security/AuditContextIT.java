package dev.tollgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link AuditContextTest}, against the packaged application. */
@QuarkusIntegrationTest
class AuditContextIT extends AuditContextTest {
}
