package dev.tollgate.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;

class IdempotencyKeyTest {

    private static final String TYPE_BASE = "https://tollgate.dev/problems/";

    private static void assertProblem(ProblemException e, String slug) {
        assertThat(e).isNotNull();
        Problem problem = e.problem();
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.members()).containsEntry("status", 400).containsEntry("type", TYPE_BASE + slug);
    }

    @ParameterizedTest
    @ValueSource(strings = { "a", "!", "~", "req-123", "550e8400-e29b-41d4-a716-446655440000", "A!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~z" })
    void acceptsVisibleAscii(String value) {
        assertThat(new IdempotencyKey(value).value()).isEqualTo(value);
    }

    @Test
    void acceptsEveryVisibleAsciiCharacter() {
        StringBuilder all = new StringBuilder();
        for (char c = 0x21; c <= 0x7E; c++) {
            all.append(c);
        }
        assertThat(new IdempotencyKey(all.toString()).value()).hasSize(94);
    }

    @Test
    void acceptsUpTo255Characters() {
        assertThat(new IdempotencyKey("k".repeat(255)).value()).hasSize(255);
    }

    @Test
    void rejects256Characters() {
        assertProblem(catchThrowableOfType(IdempotencyKey.Invalid.class, () -> new IdempotencyKey("k".repeat(256))),
                "idempotency-key-invalid");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "a b", " key", "key ", "tab\tkey", "line\n", "\u007F", "\u0000", "café", "ключ",
            "key\u00A0", "\uD83D\uDE00" })
    void rejectsEmptySpacesControlAndNonAscii(String value) {
        assertProblem(catchThrowableOfType(IdempotencyKey.Invalid.class, () -> new IdempotencyKey(value)),
                "idempotency-key-invalid");
    }

    @Test
    void rejectsNull() {
        assertProblem(catchThrowableOfType(IdempotencyKey.Invalid.class, () -> new IdempotencyKey(null)),
                "idempotency-key-invalid");
    }

    @Test
    void resolveTakesTheHeader() {
        assertThat(IdempotencyKey.resolve("from-header", null)).isEqualTo(new IdempotencyKey("from-header"));
    }

    @Test
    void resolveTakesTheRequestIdWithoutHeader() {
        assertThat(IdempotencyKey.resolve(null, "from-body")).isEqualTo(new IdempotencyKey("from-body"));
    }

    @Test
    void resolveAcceptsHeaderAndRequestIdThatAgree() {
        assertThat(IdempotencyKey.resolve("same", "same")).isEqualTo(new IdempotencyKey("same"));
    }

    @Test
    void resolveRejectsHeaderAndRequestIdThatDiffer() {
        assertProblem(catchThrowableOfType(IdempotencyKey.Mismatch.class, () -> IdempotencyKey.resolve("one", "two")),
                "idempotency-key-mismatch");
        // Comparison is exact: case matters.
        assertProblem(catchThrowableOfType(IdempotencyKey.Mismatch.class, () -> IdempotencyKey.resolve("key", "KEY")),
                "idempotency-key-mismatch");
    }

    @Test
    void resolveRejectsNoKeyAtAll() {
        assertProblem(catchThrowableOfType(IdempotencyKey.Missing.class, () -> IdempotencyKey.resolve(null, null)),
                "idempotency-key-missing");
    }

    @Test
    void resolveValidatesTheShapeOfWhicheverKeyIsUsed() {
        assertProblem(catchThrowableOfType(IdempotencyKey.Invalid.class, () -> IdempotencyKey.resolve("", null)),
                "idempotency-key-invalid");
        assertProblem(catchThrowableOfType(IdempotencyKey.Invalid.class, () -> IdempotencyKey.resolve(null, "has space")),
                "idempotency-key-invalid");
        assertProblem(catchThrowableOfType(IdempotencyKey.Invalid.class,
                () -> IdempotencyKey.resolve("k".repeat(256), "k".repeat(256))), "idempotency-key-invalid");
    }

    @Test
    void problemsAreProblemExceptions() {
        Throwable e = catchThrowableOfType(IdempotencyKey.Missing.class, () -> IdempotencyKey.resolve(null, null));
        assertThat(e).isInstanceOf(ProblemException.class);
        assertThat(((ProblemException) e).problem().members()).containsKeys("type", "title", "status", "detail");
    }
}
