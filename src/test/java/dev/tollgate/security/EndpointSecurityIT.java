package dev.tollgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link EndpointSecurityTest}, against the packaged application. */
@QuarkusIntegrationTest
class EndpointSecurityIT extends EndpointSecurityTest {
}
