package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which configured CORS origins the pages trust, in the form a browser reports an origin. */
class WebOriginsTest {

    @Test
    void exactOriginsAreKeptInTheFormABrowserReports() {
        WebOrigins web = WebOrigins.of(List.of(" https://Chat.Example.com ", "https://chat.example.com:443/",
                "http://localhost:8080", "http://app.example.com:80", "https://[2001:db8::1]:8443"));
        assertThat(web.origins()).containsExactly("https://chat.example.com", "http://localhost:8080",
                "http://app.example.com", "https://[2001:db8::1]:8443");
        assertThat(web.ignored()).isEmpty();
    }

    @Test
    void wildcardsPatternsPathsAndOtherSchemesAreNotTrusted() {
        List<String> bad = List.of("*", "https://*.example.com", "/https://.*\\.example\\.com/", "https://chat.example.com/app",
                "https://chat.example.com?x=1", "ftp://chat.example.com", "chat.example.com", "https://user@chat.example.com",
                "null");
        WebOrigins web = WebOrigins.of(bad);
        assertThat(web.origins()).isEmpty();
        assertThat(web.ignored()).containsExactlyElementsOf(bad);
    }

    @Test
    void theNameThatStandsForNoneIsNoOriginAndNoMistake() {
        WebOrigins web = WebOrigins.of(List.of("https://no-web-origin.invalid", "http://other.invalid:8080"));
        assertThat(web.origins()).isEmpty();
        assertThat(web.ignored()).isEmpty();
    }

    @Test
    void thePolicyIsStrictAndNamesTheFramingOriginsOrNone() {
        String policy = WebOrigins.of(List.of("https://chat.example.com", "https://admin.example.com")).contentSecurityPolicy();
        assertThat(policy).startsWith("default-src 'none'; script-src 'self'; style-src 'self';")
                .contains("connect-src 'self'").doesNotContain("unsafe")
                .endsWith("frame-ancestors https://chat.example.com https://admin.example.com");
        assertThat(WebOrigins.of(List.of("*")).contentSecurityPolicy()).endsWith("frame-ancestors 'none'").doesNotContain("*");
        assertThat(WebOrigins.of(List.of()).contentSecurityPolicy()).endsWith("frame-ancestors 'none'");
    }
}
