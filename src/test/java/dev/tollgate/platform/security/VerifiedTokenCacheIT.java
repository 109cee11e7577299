package dev.tollgate.platform.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link VerifiedTokenCacheTest}, against the packaged application. */
@QuarkusIntegrationTest
class VerifiedTokenCacheIT extends VerifiedTokenCacheTest {
}
