package dev.tollgate.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The one place a webhook receiver is called: a POST of the body with the given headers, through
 * the JDK's HTTP client, within the configured timeout (connecting included). Redirects are not
 * followed: a receiver answers where it was registered.
 */
@ApplicationScoped
class WebhookHttp {

    /** What the receiver answered: a status, or the failure that stood in for one. */
    record Outcome(Integer statusCode, String error) {

        boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    @Inject
    WebhookHttp(WebhooksConfig config) {
        this.timeout = config.timeout();
        this.client = HttpClient.newBuilder()
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    Outcome post(URI url, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("content-type", "application/json")
                .header("user-agent", "Tollgate-Webhooks/1")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return new Outcome(response.statusCode(), response.statusCode() / 100 == 2 ? null
                    : "the receiver answered " + response.statusCode());
        } catch (HttpTimeoutException e) {
            return new Outcome(null, "no answer within " + timeout);
        } catch (IOException e) {
            return new Outcome(null, "the request failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "the sender was stopped");
        }
    }
}
