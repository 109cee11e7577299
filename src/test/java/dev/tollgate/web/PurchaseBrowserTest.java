package dev.tollgate.web;

import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.tollgate.purchase.PurchasesConfigured;
import dev.tollgate.purchase.StripeEvents;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeStripe;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * Buying credits in Chromium where purchases are configured against the local {@link FakeStripe},
 * whose Checkout pages are local too: the dashboard's packs, a 503 and its retry under the same
 * key, the landing on the Checkout page, the purchase pending and then paid, the packs in the 402
 * dialog. The script ({@code src/test/web/purchase-browser-test.mjs}) asks for Stripe's paid event on
 * its output; this test signs and delivers it, then answers on the script's input. Output in
 * {@code target/browser-tests/purchase-browser-test.log}, screenshots in
 * {@code target/browser-screenshots}. Enabled as {@link BrowserTest} is.
 */
@QuarkusTest
@TestProfile(PurchasesConfigured.class)
@EnabledIfSystemProperty(named = BrowserTest.CHROMIUM_PROPERTY, matches = ".+")
class PurchaseBrowserTest {

    static final String DELIVER_PAID = "deliver paid ";
    static final int MINUTES = 5;

    @Test
    void creditsAreBoughtFromTheDashboardAndTheDialogInChromium() throws Exception {
        // A new free-plan user: no purchase yet, too few credits for a large answer (the 402).
        String user = openAccount("browser-buy");
        BrowserTest.installPlaywright();

        Path log = BrowserTest.WORK.resolve("purchase-browser-test.log");
        ProcessBuilder node = new ProcessBuilder("node", "purchase-browser-test.mjs").directory(BrowserTest.WORK.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = node.environment();
        env.put("BASE_URL", RestAssured.baseURI + ":" + RestAssured.port);
        env.put("TOKEN", Tokens.user(user));
        env.put("WEB_ORIGIN", TollgateTestResources.WEB_ORIGIN);
        env.put("CHROMIUM", System.getProperty(BrowserTest.CHROMIUM_PROPERTY));
        env.put("SCREENSHOT_DIR", BrowserTest.SCREENSHOTS.toAbsolutePath().toString());
        env.put("CHECKOUT_BASE", FakeStripe.start().checkoutBase());
        env.put("CHECKOUT_TITLE", FakeStripe.CHECKOUT_TITLE);

        List<String> delivered = new ArrayList<>();
        Process process = node.start();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        watchdog.schedule(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, MINUTES, TimeUnit.MINUTES);
        try (BufferedReader output = process.inputReader(); Writer input = process.outputWriter();
                BufferedWriter file = Files.newBufferedWriter(log)) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                file.write(line);
                file.newLine();
                file.flush();
                if (line.startsWith(DELIVER_PAID)) {
                    String[] ids = line.substring(DELIVER_PAID.length()).split(" ");
                    deliverPaid(user, ids[0], ids[1]);
                    delivered.add(ids[0]);
                    input.write("delivered\n");
                    input.flush();
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        int exit = process.waitFor();
        String text = Files.readString(log);
        System.out.println(text);

        assertThat(exit).as(text).isZero();
        assertThat(text).doesNotContain("FAIL")
                .contains("ok   - with purchases configured the dashboard offers every pack with its price")
                .contains("ok   - \"Try again\" repeats the click under its key and the browser lands on the local Checkout page")
                .contains("ok   - Stripe's paid event turns it paid and adds the credits, live")
                .contains("ok   - the 402 dialog offers the packs, and the focus stays inside it")
                .contains("ok   - a dashboard framed by the chat app sends the whole tab to the Checkout page");
        assertThat(delivered).hasSize(1);
        Api.as(user).get("/api/credit/purchases/" + delivered.get(0)).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("paid"));
        for (String shot : List.of("dashboard-buy-credits.png", "checkout.png", "purchases-pending.png", "purchases-paid.png",
                "insufficient-credits-dialog-packs.png")) {
            assertThat(BrowserTest.SCREENSHOTS.resolve(shot)).isNotEmptyFile();
        }
    }

    /** Stripe's checkout.session.completed for the purchase, paid in full, signed and delivered. */
    static void deliverPaid(String user, String purchaseId, String sessionId) {
        JsonPath purchase = Api.as(user).get("/api/credit/purchases/" + purchaseId).then().statusCode(200).extract().jsonPath();
        assertThat(purchase.getString("status")).isEqualTo("pending");
        assertThat(FakeStripe.start().sessionsFor(purchaseId)).extracting(r -> r.path()).hasSize(1);
        String event = StripeEvents.event("checkout.session.completed", StripeEvents.session(purchaseId, sessionId,
                "pi_" + UUID.randomUUID().toString().replace("-", ""), "paid", purchase.getLong("priceAmount"),
                purchase.getString("priceCurrency")));
        StripeEvents.deliver(event).then().statusCode(200);
    }
}
