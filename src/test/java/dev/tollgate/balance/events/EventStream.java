package dev.tollgate.balance.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * A client of {@code GET /api/credit/events} for the tests: reads the stream on a thread of its
 * own and queues its events (comment lines are counted, not queued).
 */
final class EventStream implements AutoCloseable {

    record Event(String name, String id, String data) {
        JsonObject json() {
            return new JsonObject(data);
        }

        long available() {
            return json().getLong("availableMillicredits");
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;

    private EventStream(String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/credit/events"))
                .header("Accept", "text/event-stream");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        response = HttpClient.newHttpClient().sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    static EventStream open(String token) {
        return new EventStream(token);
    }

    static String baseUrl() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    HttpResponse<Stream<String>> response() throws Exception {
        return response.get(10, TimeUnit.SECONDS);
    }

    /** Starts reading the body; call after checking the status. */
    EventStream read() throws Exception {
        HttpResponse<Stream<String>> answer = response();
        Thread reader = new Thread(() -> {
            String name = null;
            String id = null;
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = answer.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            events.add(new Event(name, id, data.toString()));
                        }
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith(":")) {
                        comments.incrementAndGet();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).stripLeading());
                    }
                }
            } catch (RuntimeException e) {
                // The stream was closed under the reader.
            } finally {
                ended.set(true);
            }
        }, "test-event-stream");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** The next event, or null after the timeout. */
    Event next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next event whose balance is {@code available}, skipping others, or null after the timeout. */
    Event awaitAvailable(long available, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            Event event = events.poll(left, TimeUnit.NANOSECONDS);
            if (event != null && event.available() == available) {
                return event;
            }
        }
        return null;
    }

    int pending() {
        return events.size();
    }

    int comments() {
        return comments.get();
    }

    boolean ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}
