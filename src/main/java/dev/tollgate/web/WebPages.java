package dev.tollgate.web;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * What Tollgate's pages under {@code /tollgate/} (the dashboard, the example, the modules they
 * load) are served with, beside the files themselves:
 * <ul>
 * <li>a strict Content-Security-Policy ({@link WebOrigins#contentSecurityPolicy()}) on every answer
 * under {@code /tollgate/}, framed by the web-app origins only. {@code X-Frame-Options} (DENY on
 * every other answer) is left out there: it cannot name several origins, and browsers obey
 * {@code frame-ancestors} over it;</li>
 * <li>{@code GET /tollgate/web-origins.json}, {@code {"origins": [...]}}: the web-app origins the
 * pages accept a token from ({@code session.js}). Served by Tollgate to its own pages, so that
 * the list is Tollgate's configuration and nothing a page's opener can say.</li>
 * </ul>
 */
@ApplicationScoped
public class WebPages {

    private static final Logger LOG = Logger.getLogger(WebPages.class);

    static final String PAGES = "/tollgate/*";
    /** The front page ({@code /}, {@code /index.html}): links only, no script, never framed. */
    static final String FRONT_PAGE = "/(index\\.html)?";
    static final String FRONT_PAGE_POLICY =
            "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    static final String ORIGINS_PATH = "/tollgate/web-origins.json";

    @ConfigProperty(name = "quarkus.http.cors.origins")
    Optional<List<String>> corsOrigins;

    void install(@Observes Router router) {
        WebOrigins web = WebOrigins.of(corsOrigins.orElse(List.of()));
        if (!web.ignored().isEmpty()) {
            LOG.warnf("Tollgate's pages trust exact web-app origins only; these CORS origins are not: %s", web.ignored());
        }
        String policy = web.contentSecurityPolicy();
        String origins = new JsonObject().put("origins", new JsonArray(web.origins())).encode();
        // As early as Quarkus' own header handlers; the headers are set as the answer's head is written,
        // after every handler (Quarkus' X-Frame-Options among them) has set its own.
        router.route(PAGES).order(Integer.MIN_VALUE).handler(context -> {
            context.addHeadersEndHandler(done -> context.response().headers()
                    .set("Content-Security-Policy", policy)
                    .remove("X-Frame-Options"));
            context.next();
        });
        router.routeWithRegex(FRONT_PAGE).order(Integer.MIN_VALUE).handler(context -> {
            context.addHeadersEndHandler(done -> context.response().headers()
                    .set("Content-Security-Policy", FRONT_PAGE_POLICY));
            context.next();
        });
        router.get(ORIGINS_PATH).handler(context -> context.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(origins));
    }
}
