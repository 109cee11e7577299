package dev.tollgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same hostile requests as {@link MutatingEndpointsFuzzTest}, against the packaged application. */
@QuarkusIntegrationTest
class MutatingEndpointsFuzzIT extends MutatingEndpointsFuzzTest {
}
