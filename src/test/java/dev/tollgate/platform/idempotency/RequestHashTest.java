package dev.tollgate.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RequestHashTest {

    public record Tokens(long input, long output) {
    }

    public record Call(String requestId, String model, Tokens tokens, BigDecimal price, List<String> tags,
            Map<String, Object> metadata) {
    }

    public record Ab(int a, int b) {
    }

    public record Ba(int b, int a) {
    }

    private static Map<String, Object> metadata(String... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Call call() {
        return new Call("req-1", "gpt-4o-mini", new Tokens(100, 20), new BigDecimal("1.5"), List.of("x", "y"),
                metadata("character", "alice", "session", "s-1"));
    }

    @Test
    void isSha256InLowerCaseHex() {
        assertThat(RequestHash.of("charge", call())).matches("[0-9a-f]{64}");
    }

    @Test
    void sameForEqualRecords() {
        assertThat(RequestHash.of("charge", call())).isEqualTo(RequestHash.of("charge", call()));
    }

    @Test
    void differsForAnotherOperation() {
        assertThat(RequestHash.of("charge", call())).isNotEqualTo(RequestHash.of("hold", call()));
        assertThat(RequestHash.of("charge", call())).isNotEqualTo(RequestHash.of("charg", call()));
        assertThat(RequestHash.of("charge", call())).isNotEqualTo(RequestHash.of("", call()));
    }

    @Test
    void differsWhenAnyFieldDiffers() {
        Call base = call();
        List<Call> variants = List.of(
                new Call("req-2", base.model(), base.tokens(), base.price(), base.tags(), base.metadata()),
                new Call(null, base.model(), base.tokens(), base.price(), base.tags(), base.metadata()),
                new Call(base.requestId(), "gpt-4o", base.tokens(), base.price(), base.tags(), base.metadata()),
                new Call(base.requestId(), base.model(), new Tokens(101, 20), base.price(), base.tags(), base.metadata()),
                new Call(base.requestId(), base.model(), new Tokens(100, 21), base.price(), base.tags(), base.metadata()),
                new Call(base.requestId(), base.model(), new Tokens(20, 100), base.price(), base.tags(), base.metadata()),
                new Call(base.requestId(), base.model(), base.tokens(), new BigDecimal("1.6"), base.tags(), base.metadata()),
                new Call(base.requestId(), base.model(), base.tokens(), base.price(), List.of("y", "x"), base.metadata()),
                new Call(base.requestId(), base.model(), base.tokens(), base.price(), List.of("x"), base.metadata()),
                new Call(base.requestId(), base.model(), base.tokens(), base.price(), base.tags(),
                        metadata("character", "bob", "session", "s-1")),
                new Call(base.requestId(), base.model(), base.tokens(), base.price(), base.tags(),
                        metadata("character", "alice")),
                new Call(base.requestId(), base.model(), base.tokens(), base.price(), base.tags(), Map.of()));

        Set<String> hashes = new HashSet<>();
        hashes.add(RequestHash.of("charge", base));
        for (Call variant : variants) {
            assertThat(RequestHash.of("charge", variant)).as("%s", variant).isNotEqualTo(RequestHash.of("charge", base));
            hashes.add(RequestHash.of("charge", variant));
        }
        assertThat(hashes).as("all variants are distinct").hasSize(variants.size() + 1);
    }

    @Test
    void independentOfMapInsertionOrder() {
        Map<String, Object> forward = metadata("a", "1", "b", "2", "c", "3", "z", "26");
        Map<String, Object> backward = metadata("z", "26", "c", "3", "b", "2", "a", "1");
        assertThat(List.copyOf(forward.keySet())).isNotEqualTo(List.copyOf(backward.keySet()));

        assertThat(RequestHash.of("charge", forward)).isEqualTo(RequestHash.of("charge", backward));

        Call base = call();
        Call one = new Call(base.requestId(), base.model(), base.tokens(), base.price(), base.tags(), forward);
        Call two = new Call(base.requestId(), base.model(), base.tokens(), base.price(), base.tags(), backward);
        assertThat(RequestHash.of("charge", one)).isEqualTo(RequestHash.of("charge", two));
    }

    @Test
    void independentOfNestedMapInsertionOrder() {
        Map<String, Object> inner1 = metadata("x", "1", "y", "2");
        Map<String, Object> inner2 = metadata("y", "2", "x", "1");
        Map<String, Object> outer1 = new LinkedHashMap<>();
        outer1.put("inner", inner1);
        outer1.put("other", "v");
        Map<String, Object> outer2 = new LinkedHashMap<>();
        outer2.put("other", "v");
        outer2.put("inner", inner2);

        assertThat(RequestHash.of("charge", outer1)).isEqualTo(RequestHash.of("charge", outer2));
    }

    @Test
    void canonicalJsonSortsProperties() {
        // The same JSON object, whatever order the record declares its components in.
        assertThat(RequestHash.of("op", new Ab(1, 2))).isEqualTo(RequestHash.of("op", new Ba(2, 1)));
        assertThat(RequestHash.of("op", new Ab(1, 2))).isNotEqualTo(RequestHash.of("op", new Ab(2, 1)));
    }
}
