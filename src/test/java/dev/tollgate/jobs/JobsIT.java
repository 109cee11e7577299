package dev.tollgate.jobs;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link JobsTest}, against the packaged application. */
@QuarkusIntegrationTest
class JobsIT extends JobsTest {
}
