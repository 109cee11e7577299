package dev.tollgate.usage;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link UsageResourceTest}, against the packaged application. */
@QuarkusIntegrationTest
class UsageResourceIT extends UsageResourceTest {
}
