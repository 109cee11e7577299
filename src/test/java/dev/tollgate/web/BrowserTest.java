package dev.tollgate.web;

import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Teams;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The web elements and the dashboard in Debian's headless Chromium, driven by playwright-core
 * (the script and its locked npm dependency are in {@code src/test/web}). The Maven profile
 * {@code browser-tests}, active where {@code /usr/bin/chromium} exists, sets the property that
 * enables this test. The script's screenshots land in {@code target/browser-screenshots}, its
 * output in {@code target/browser-tests/browser-test.log}. Purchases are not configured here: the
 * pages must offer none ({@link PurchaseBrowserTest} buys credits where they are). The user owns a
 * team whose other member has a monthly cap: the dashboard's team view and the 402s of the pool and
 * of the cap are checked on it.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = BrowserTest.CHROMIUM_PROPERTY, matches = ".+")
class BrowserTest {

    static final String CHROMIUM_PROPERTY = "tollgate.browser-tests.chromium";
    /** An origin that is none of the web app's (TOLLGATE_WEB_ORIGINS). */
    static final String FOREIGN_ORIGIN = "https://attacker.example.test";
    static final Path SOURCES = Path.of("src/test/web");
    static final Path WORK = Path.of("target/browser-tests");
    static final Path SCREENSHOTS = Path.of("target/browser-screenshots");
    static final List<String> FILES = List.of("package.json", "package-lock.json", "harness.mjs", "browser-test.mjs",
            "purchase-browser-test.mjs");
    static final List<String> MODELS = List.of("gpt-4o-mini", "gpt-4.1-mini", "claude-3-5-haiku");
    static final List<String> CHARACTERS = List.of("luna", "kai", "mira");

    @Test
    void theWidgetTheDialogAndTheDashboardWorkInChromium() throws Exception {
        // A free-plan user with more than one page of calls, over three models and three characters.
        String user = openAccount("browser");
        for (int i = 1; i <= 25; i++) {
            charge(user, "browser-seed-" + i, "{\"model\":\"" + MODELS.get(i % 3) + "\",\"characterId\":\""
                    + CHARACTERS.get(i % 3) + "\",\"usage\":{\"uncachedInputTokens\":" + (i * 300)
                    + ",\"outputTokens\":" + (i * 100) + "}}").then().statusCode(201);
        }
        // A team of the user with a member capped at 20 credits, who spent from the pool once.
        String member = Api.newUser("browser-member");
        String team = Teams.withMember(user, member, 20_000L);
        Teams.charge(member, team, "browser-member-seed", Api.chargeBody("gpt-4o-mini", 3000, 1000)).then().statusCode(201);
        installPlaywright();

        Path log = WORK.resolve("browser-test.log");
        ProcessBuilder node = new ProcessBuilder("node", "browser-test.mjs").directory(WORK.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = node.environment();
        env.put("BASE_URL", RestAssured.baseURI + ":" + RestAssured.port);
        env.put("TOKEN", Tokens.user(user));
        env.put("USER_ID", user);
        env.put("ADMIN_TOKEN", Tokens.admin("browser-admin"));
        // Another user with an account of their own: the token a foreign page would hand the dashboard.
        env.put("OTHER_TOKEN", Tokens.user(openAccount("browser-other")));
        env.put("TEAM_ID", team);
        env.put("MEMBER_ID", member);
        env.put("MEMBER_TOKEN", Tokens.user(member));
        env.put("WEB_ORIGIN", TollgateTestResources.WEB_ORIGIN);
        env.put("FOREIGN_ORIGIN", FOREIGN_ORIGIN);
        env.put("CHROMIUM", System.getProperty(CHROMIUM_PROPERTY));
        env.put("SCREENSHOT_DIR", SCREENSHOTS.toAbsolutePath().toString());
        int exit = run(node, 5);
        String output = Files.readString(log);
        System.out.println(output);

        assertThat(exit).as(output).isZero();
        assertThat(output).doesNotContain("FAIL").contains("ok   - a 402 opens the dialog")
                .contains("ok   - without purchases configured the dialog offers no packs")
                .contains("ok   - without purchases configured the dashboard shows no purchase section and no error")
                .contains("ok   - a token posted by a page of a foreign origin is ignored")
                .contains("ok   - the widget and the dashboard show the day the credits run out when it is before the refresh")
                .contains("ok   - the chat app may frame the dashboard")
                .contains("ok   - the team view shows the pool live and, for an owner, the members and the usage by member")
                .contains("ok   - a member sees their cap, and a 402 of the cap names it in the widget and the dialog")
                .contains("ok   - a 402 of the team's pool names the pool in the widget and the dialog");
        assertThat(SCREENSHOTS.resolve("widget-after-charge.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("insufficient-credits-dialog.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("dashboard.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("dashboard-forecast.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("dashboard-team-owner.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("dashboard-team-member-cap.png")).isNotEmptyFile();
    }

    /** Copies the script to target/ and installs its locked dependencies there (once per clean build). */
    static void installPlaywright() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : FILES) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(WORK.resolve("node_modules/playwright-core"))) {
            return;
        }
        ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(WORK.toFile())
                .redirectErrorStream(true).redirectOutput(WORK.resolve("npm-ci.log").toFile());
        assertThat(run(npm, 5)).as("npm ci (see %s)", WORK.resolve("npm-ci.log")).isZero();
    }

    static int run(ProcessBuilder builder, int minutes) throws IOException, InterruptedException {
        Process process = builder.start();
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(builder.command() + " did not finish in " + minutes + " minutes");
        }
        return process.exitValue();
    }
}
