package dev.tollgate.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The web files: served without a token (they hold no data, the API calls they make carry it),
 * with the right types, under a strict Content-Security-Policy that only the web app's origin may
 * frame, and written so that the policy works (no inline script, no inline style); the pages learn
 * the web app's origins from Tollgate. Runs everywhere; {@link BrowserTest} runs them in Chromium.
 */
@QuarkusTest
class WebAssetsTest {

    static final Path WEB = Path.of("src/main/resources/META-INF/resources/tollgate");
    static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
    static final Pattern INLINE_STYLE = Pattern.compile("<style\\b|\\sstyle\\s*=|\\son[a-z]+\\s*=|javascript:",
            Pattern.CASE_INSENSITIVE);
    static final Pattern STYLE_FROM_SCRIPT = Pattern.compile("setAttribute\\(\\s*'style'|\\.style\\s*=\\s*['\"`]|\\beval\\(|new Function\\(");

    @Test
    void theFrontPageLinksToThePagesAndNothingOfTheManagementPort() {
        for (String path : List.of("/", "/index.html")) {
            given().get(path).then().statusCode(200)
                    .contentType(startsWith("text/html"))
                    .header("Content-Security-Policy", WebPages.FRONT_PAGE_POLICY)
                    .header("X-Frame-Options", "DENY")
                    .body(containsString("href=\"/tollgate/dashboard.html\""))
                    .body(containsString("href=\"/tollgate/example.html\""))
                    .body(not(containsString("/q/")));
        }
    }

    @Test
    void thePagesAndModulesAreServedWithoutAToken() {
        for (String page : List.of("dashboard.html", "example.html")) {
            given().get("/tollgate/" + page).then().statusCode(200)
                    .contentType(startsWith("text/html"))
                    .body(containsString("<script type=\"module\""));
        }
        for (String module : List.of("tollgate.js", "client.js", "balance-widget.js", "credits-dialog.js", "dashboard.js",
                "charts.js", "format.js", "session.js", "example.js", "packs.js", "dashboard-teams.js")) {
            given().get("/tollgate/" + module).then().statusCode(200).contentType(containsString("javascript"));
        }
        given().get("/tollgate/components.css").then().statusCode(200).contentType(startsWith("text/css"));
        // The data they show is not: the API still wants the token.
        given().get("/api/credit/balance").then().statusCode(401);
    }

    @Test
    void thePagesCarryAStrictContentSecurityPolicyAndOnlyTheWebAppMayFrameThem() {
        String policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors " + TollgateTestResources.WEB_ORIGIN;
        for (String file : List.of("dashboard.html", "example.html", "session.js", "page.css", "web-origins.json")) {
            Response answer = given().get("/tollgate/" + file);
            assertThat(answer.statusCode()).as(file).isEqualTo(200);
            assertThat(answer.header("Content-Security-Policy")).as(file).isEqualTo(policy);
            // X-Frame-Options cannot name the web app: frame-ancestors decides, and browsers obey it over X-Frame-Options.
            assertThat(answer.header("X-Frame-Options")).as(file).isNull();
            assertThat(answer.header("X-Content-Type-Options")).as(file).isEqualTo("nosniff");
        }
        // The API keeps its own policy, and nothing frames it.
        Response api = given().get("/api/credit/balance");
        assertThat(api.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(api.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(given().get("/no-such-page").header("X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void thePagesAreToldTheWebAppOriginsByTollgateItself() {
        given().get("/tollgate/web-origins.json").then().statusCode(200)
                .contentType(startsWith("application/json"))
                .body("origins", contains(TollgateTestResources.WEB_ORIGIN));
    }

    @Test
    void noPageOrModuleNeedsAnInlineScriptOrStyle() throws IOException {
        List<Path> files = files();
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("dashboard.html", "client.js");
        for (Path file : files) {
            String text = Files.readString(file);
            String name = file.getFileName().toString();
            if (name.endsWith(".html") || name.endsWith(".js")) {
                assertThat(INLINE_SCRIPT.matcher(text).find()).as("inline <script> in %s", name).isFalse();
                assertThat(INLINE_STYLE.matcher(text).find()).as("inline style or handler in %s", name).isFalse();
            }
            if (name.endsWith(".js")) {
                assertThat(STYLE_FROM_SCRIPT.matcher(text).find()).as("style attribute or eval in %s", name).isFalse();
            }
        }
    }

    @Test
    void theCheckFindsWhatItLooksFor() {
        assertThat(INLINE_SCRIPT.matcher("<script>alert(1)</script>").find()).isTrue();
        assertThat(INLINE_SCRIPT.matcher("<script type=\"module\" src=\"a.js\"></script>").find()).isFalse();
        assertThat(INLINE_STYLE.matcher("<div style=\"color:red\">").find()).isTrue();
        assertThat(INLINE_STYLE.matcher("<button onclick=\"go()\">").find()).isTrue();
        assertThat(INLINE_STYLE.matcher("<style>p{}</style>").find()).isTrue();
        assertThat(STYLE_FROM_SCRIPT.matcher("el.setAttribute('style', 'x')").find()).isTrue();
        assertThat(STYLE_FROM_SCRIPT.matcher("el.style = 'color: red'").find()).isTrue();
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(WEB)) {
            return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }
}
