package dev.tollgate.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP server of a local fake ({@link FakeProvider}, {@link FakeStripe}): a small Vert.x of its
 * own and a free port of 127.0.0.1, started and stopped within a bound.
 */
final class LocalServer {

    private static final long START_STOP_SECONDS = 10;

    private final Vertx vertx;
    private final HttpServer server;

    private LocalServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * Makes the fake on a new server with {@code eventLoops} event loops and serves its {@code handle}.
     *
     * @param name what failed to start, for the exception ("the fake Stripe")
     */
    static <T> T start(String name, int eventLoops, Function<LocalServer, T> fake, BiConsumer<T, HttpServerRequest> handle) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        LocalServer local = new LocalServer(vertx,
                vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)));
        T made = fake.apply(local);
        local.server.requestHandler(request -> handle.accept(made, request));
        try {
            local.server.listen().toCompletionStage().toCompletableFuture().get(START_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            local.close();
            throw new IllegalStateException(name + " did not start", e);
        }
        return made;
    }

    Vertx vertx() {
        return vertx;
    }

    int port() {
        return server.actualPort();
    }

    /** Closes the Vert.x and with it the server and its open connections (bounded and quiet). */
    void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(START_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Bounded and quiet: the JVM is ending, or the test that owns it moves on.
        }
    }
}
