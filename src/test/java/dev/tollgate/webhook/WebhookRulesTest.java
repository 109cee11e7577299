package dev.tollgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.platform.problem.ProblemType;

/**
 * The rules of webhooks that need no application: which URLs and addresses an endpoint may have
 * with the guard on (as in production), the secret's format, the signature, the retry delays.
 */
class WebhookRulesTest {

    /** A resolver with a fixed table: the guard is judged on the addresses, not on a live DNS. */
    static final Map<String, String[]> DNS = Map.ofEntries(
            Map.entry("public.example", new String[] { "93.184.215.14" }),
            Map.entry("public6.example", new String[] { "2606:2800:21f:cb07:6820:80da:af6b:8b2c" }),
            Map.entry("loopback.example", new String[] { "127.0.0.1" }),
            Map.entry("ten.example", new String[] { "10.1.2.3" }),
            Map.entry("oneseventwo.example", new String[] { "172.20.0.5" }),
            Map.entry("oneninetwo.example", new String[] { "192.168.1.10" }),
            Map.entry("metadata.example", new String[] { "169.254.169.254" }),
            Map.entry("cgnat.example", new String[] { "100.64.0.1" }),
            Map.entry("ula.example", new String[] { "fd00:ec2::254" }),
            Map.entry("zero.example", new String[] { "0.0.0.0" }),
            Map.entry("multicast.example", new String[] { "224.0.0.1" }),
            Map.entry("mixed.example", new String[] { "93.184.215.14", "10.0.0.1" }),
            Map.entry("mapped.example", new String[] { "::ffff:127.0.0.1" }));

    static InetAddress[] resolve(String host) throws UnknownHostException {
        String[] addresses = DNS.get(host);
        if (addresses == null) {
            // An IP literal resolves to itself, as the JDK's resolver does; anything else is unknown.
            if (host.matches("[0-9.]+|.*:.*")) {
                return new InetAddress[] { InetAddress.getByName(host) };
            }
            throw new UnknownHostException(host);
        }
        InetAddress[] resolved = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            resolved[i] = InetAddress.getByAddress(host, InetAddress.getByName(addresses[i]).getAddress());
        }
        return resolved;
    }

    static final WebhookUrlPolicy GUARDED = new WebhookUrlPolicy(false, false, WebhookRulesTest::resolve);

    static String refusal(WebhookUrlPolicy policy, String url) {
        try {
            policy.check(url);
            return null;
        } catch (ProblemException e) {
            assertThat(e.problem().typeSlug()).isEqualTo(ProblemType.WEBHOOK_URL_NOT_ALLOWED.slug());
            return e.problem().toString();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://public.example/hooks", "https://public6.example:8443/hooks?x=1",
            "https://93.184.215.14/hooks", "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/h" })
    void publicHttpsUrlsAreAllowed(String url) {
        assertThat(GUARDED.check(url).toString()).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://loopback.example/h", "https://ten.example/h", "https://oneseventwo.example/h",
            "https://oneninetwo.example/h", "https://metadata.example/latest/meta-data", "https://cgnat.example/h",
            "https://ula.example/h", "https://zero.example/h", "https://multicast.example/h", "https://mixed.example/h",
            "https://mapped.example/h", "https://127.0.0.1/h", "https://[::1]/h", "https://169.254.169.254/h",
            "https://[fe80::1]/h", "https://10.0.0.1/h", "https://172.31.255.255/h", "https://100.127.0.1/h",
            "https://[::ffff:10.0.0.1]/h", "https://0.0.0.0/h", "https://localhost.invalid/h" })
    void privateOrUnresolvableHostsAreRefusedWithTheGuardOn(String url) {
        assertThat(refusal(GUARDED, url)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://public.example/h", "ftp://public.example/h", "/relative/path", "public.example/h",
            "https://user:pass@public.example/h", "https://user@public.example/h", "https:///nohost",
            "https://public.example/h#fragment", "https://public example/h", "", "   " })
    void malformedNonHttpsOrUserInfoUrlsAreRefused(String url) {
        assertThat(refusal(GUARDED, url)).isNotNull();
    }

    @Test
    void theGuardAlsoRefusesNullAndOverlongUrls() {
        assertThat(refusal(GUARDED, null)).isNotNull();
        assertThat(refusal(GUARDED, "https://public.example/" + "a".repeat(WebhookUrlPolicy.MAX_LENGTH))).isNotNull();
    }

    @Test
    void theFlagsOpenHttpAndPrivateAddressesOnlyWhenSet() {
        WebhookUrlPolicy open = new WebhookUrlPolicy(true, true, WebhookRulesTest::resolve);
        assertThat(open.check("http://127.0.0.1:8080/h")).isNotNull();
        assertThat(open.check("https://metadata.example/h")).isNotNull();
        // User info and other schemes stay refused with both flags on.
        assertThat(refusal(open, "http://u:p@127.0.0.1/h")).isNotNull();
        assertThat(refusal(open, "file:///etc/passwd")).isNotNull();
        WebhookUrlPolicy httpOnly = new WebhookUrlPolicy(true, false, WebhookRulesTest::resolve);
        assertThat(httpOnly.check("http://public.example/h")).isNotNull();
        assertThat(refusal(httpOnly, "http://127.0.0.1/h")).isNotNull();
    }

    @Test
    void aHostThatResolvesInwardLaterIsRefusedAtDeliveryTime() {
        String[] answer = { "93.184.215.14" };
        WebhookUrlPolicy rebinding = new WebhookUrlPolicy(false, false,
                host -> new InetAddress[] { InetAddress.getByName(answer[0]) });
        java.net.URI url = rebinding.check("https://rebind.example/h");
        assertThat(rebinding.refusedAddress(url)).isNull();

        answer[0] = "127.0.0.1";

        assertThat(rebinding.refusedAddress(url)).contains("non-public");
    }

    @Test
    void secretsAreWhsecAndBase64Of24To64Bytes() {
        String generated = WebhookSecret.generate();
        assertThat(generated).startsWith("whsec_");
        assertThat(WebhookSecret.key(generated)).get().satisfies(key -> assertThat(key).hasSize(32));
        assertThat(WebhookSecret.generate()).isNotEqualTo(generated);
        String b64 = Base64.getEncoder().encodeToString(new byte[24]);
        assertThat(WebhookSecret.key("whsec_" + b64)).isPresent();
        assertThat(WebhookSecret.key("whsec_" + Base64.getEncoder().encodeToString(new byte[64]))).isPresent();
        assertThat(WebhookSecret.key("whsec_" + Base64.getEncoder().encodeToString(new byte[23]))).isEmpty();
        assertThat(WebhookSecret.key("whsec_" + Base64.getEncoder().encodeToString(new byte[65]))).isEmpty();
        assertThat(WebhookSecret.key(b64)).isEmpty();
        assertThat(WebhookSecret.key("whsec_not base64!")).isEmpty();
        assertThat(WebhookSecret.key(null)).isEmpty();
    }

    @Test
    void theSignatureIsTheStandardWebhooksOne() throws Exception {
        // The example of the Standard Webhooks specification.
        byte[] key = WebhookSecret.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").orElseThrow();
        String body = "{\"test\": 2432232314}";
        String signature = WebhookSignature.sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal(("msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330." + body).getBytes(StandardCharsets.UTF_8)));
        assertThat(signature).isEqualTo(expected).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void retriesWaitTheBaseDelayDoubledUpToTheCap() {
        Duration base = Duration.ofSeconds(10);
        Duration cap = Duration.ofMinutes(1);
        assertThat(WebhookSender.backoff(base, cap, 1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(WebhookSender.backoff(base, cap, 2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(WebhookSender.backoff(base, cap, 3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(WebhookSender.backoff(base, cap, 4)).isEqualTo(cap);
        assertThat(WebhookSender.backoff(base, cap, 1000)).isEqualTo(cap);
    }

    @Test
    void everyEventTypeIsKnownAndNothingElse() {
        assertThat(WebhookEventTypes.ALL).contains("purchase.completed", "purchase.refunded", "auto_top_up.failed",
                "auto_top_up.disabled", "balance.low", "balance.critical", "balance.depleted", "balance.recovered",
                "grant.expiring", "grant.expired", "balance.depletion_predicted").doesNotHaveDuplicates();
        assertThat(WebhookEventTypes.isKnown("balance.low")).isTrue();
        assertThat(WebhookEventTypes.isKnown("balance.exploded")).isFalse();
        assertThat(WebhookEventTypes.isKnown(null)).isFalse();
        assertThatThrownBy(() -> WebhookEventTypes.ALL.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
