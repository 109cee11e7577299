package dev.tollgate.platform.devauth;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The packaged (prod) application has no token mint. */
@QuarkusIntegrationTest
class DevTokenEndpointIT extends DevTokenEndpointTest {
}
