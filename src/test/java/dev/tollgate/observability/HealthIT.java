package dev.tollgate.observability;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link HealthTest}, against the packaged application. */
@QuarkusIntegrationTest
class HealthIT extends HealthTest {
}
