package dev.tollgate.web;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link WebAssetsTest}, against the packaged application. */
@QuarkusIntegrationTest
class WebAssetsIT extends WebAssetsTest {
}
