package dev.tollgate.observability;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link MetricsTest}, against the packaged application. */
@QuarkusIntegrationTest
class MetricsIT extends MetricsTest {
}
