package dev.tollgate.testing;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.vertx.http.HttpServer;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The management interface of the application under test (health, metrics, the OpenAPI document),
 * on its own port: in a {@code @QuarkusTest} the one the operating system gave it
 * ({@code %test.quarkus.management.test-port=0}), for the packaged application of a
 * {@code @QuarkusIntegrationTest} the free port {@link TollgateTestResources} chose.
 */
public final class Management {

    /** The system property in which {@link TollgateTestResources} leaves the packaged application's port. */
    static final String PACKAGED_APP_PORT = "tollgate.test.management-port";

    private Management() {
    }

    /** A request to the management port (RestAssured's host, its own port). */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }

    public static int port() {
        ArcContainer container = Arc.container();
        if (container != null && container.isRunning()) {
            int port = container.instance(HttpServer.class).get().getManagementPort();
            if (port <= 0) {
                throw new IllegalStateException("the application under test has no management interface listening");
            }
            return port;
        }
        String packaged = System.getProperty(PACKAGED_APP_PORT);
        if (packaged == null) {
            throw new IllegalStateException("no application under test: neither a @QuarkusTest nor a started test resource");
        }
        return Integer.parseInt(packaged);
    }
}
