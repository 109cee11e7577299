package dev.tollgate.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The web files: served without a token (they hold no data, the API calls they make carry it),
 * with the right types, and written so that a strict Content-Security-Policy works (no inline
 * script, no inline style). Runs everywhere; {@link BrowserTest} runs them in Chromium.
 */
@QuarkusTest
class WebAssetsTest {

    static final Path WEB = Path.of("src/main/resources/META-INF/resources/tollgate");
    static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
    static final Pattern INLINE_STYLE = Pattern.compile("<style\\b|\\sstyle\\s*=|\\son[a-z]+\\s*=|javascript:",
            Pattern.CASE_INSENSITIVE);
    static final Pattern STYLE_FROM_SCRIPT = Pattern.compile("setAttribute\\(\\s*'style'|\\.style\\s*=\\s*['\"`]|\\beval\\(|new Function\\(");

    @Test
    void thePagesAndModulesAreServedWithoutAToken() {
        for (String page : List.of("dashboard.html", "example.html")) {
            given().get("/tollgate/" + page).then().statusCode(200)
                    .contentType(startsWith("text/html"))
                    .body(containsString("<script type=\"module\""));
        }
        for (String module : List.of("tollgate.js", "client.js", "balance-widget.js", "credits-dialog.js", "dashboard.js",
                "charts.js", "format.js", "session.js", "example.js")) {
            given().get("/tollgate/" + module).then().statusCode(200).contentType(containsString("javascript"));
        }
        given().get("/tollgate/components.css").then().statusCode(200).contentType(startsWith("text/css"));
        // The data they show is not: the API still wants the token.
        given().get("/api/credit/balance").then().statusCode(401);
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
