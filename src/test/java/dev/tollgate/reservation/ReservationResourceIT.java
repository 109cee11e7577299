package dev.tollgate.reservation;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link ReservationResourceTest}, against the packaged application. */
@QuarkusIntegrationTest
class ReservationResourceIT extends ReservationResourceTest {
}
