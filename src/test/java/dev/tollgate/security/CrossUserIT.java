package dev.tollgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link CrossUserTest}, against the packaged application. */
@QuarkusIntegrationTest
class CrossUserIT extends CrossUserTest {
}
