package dev.tollgate.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The web-app origins that Tollgate's pages trust (to hand them a token, to frame them): the
 * CORS origins ({@code quarkus.http.cors.origins}, {@code TOLLGATE_WEB_ORIGINS}) that name one
 * origin exactly, {@code scheme://host[:port]} over http or https, in the form a browser gives
 * {@code MessageEvent.origin} (lower case, no default port, no trailing slash). Anything else —
 * {@code *}, a {@code /regular expression/}, a path — is not one, and {@link #ignored()} lists
 * it; a host under {@code .invalid} (the name that stands for "none" when no origin is
 * configured, RFC 2606) is left out without a word.
 */
public record WebOrigins(List<String> origins, List<String> ignored) {

    public WebOrigins {
        origins = List.copyOf(origins);
        ignored = List.copyOf(ignored);
    }

    public static WebOrigins of(List<String> configured) {
        List<String> origins = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String entry : configured) {
            String trimmed = entry == null ? "" : entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String origin = origin(trimmed);
            if (origin == null) {
                ignored.add(trimmed);
            } else if (!URI.create(origin).getHost().endsWith(".invalid") && !origins.contains(origin)) {
                origins.add(origin);
            }
        }
        return new WebOrigins(origins, ignored);
    }

    /** The serialized origin of an entry that names exactly one, else {@code null}. */
    static String origin(String entry) {
        if (entry.contains("*") || entry.startsWith("/")) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
        if (!("http".equals(scheme) || "https".equals(scheme)) || host == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            return null;
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    /**
     * The Content-Security-Policy of the pages: their own scripts, styles and API only, no inline
     * script or style, nothing embedded, framed by the web-app origins alone.
     */
    public String contentSecurityPolicy() {
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors "
                + (origins.isEmpty() ? "'none'" : String.join(" ", origins));
    }
}
