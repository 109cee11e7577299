package dev.tollgate.precheck;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link PreCheckResourceTest}, against the packaged application. */
@QuarkusIntegrationTest
class PreCheckResourceIT extends PreCheckResourceTest {
}
