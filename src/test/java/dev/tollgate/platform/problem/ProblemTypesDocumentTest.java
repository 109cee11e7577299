package dev.tollgate.platform.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/**
 * {@code docs/problems.md} is the rendering of the {@link ProblemType} catalogue, so that the
 * documented list of errors is the list the API answers from. When the catalogue changes, this test
 * writes the new rendering to {@code target/problems.md}: copy it over the document.
 */
class ProblemTypesDocumentTest {

    static final Path DOCUMENT = Path.of("docs/problems.md");
    static final Path RENDERED = Path.of("target/problems.md");

    @Test
    void theDocumentedErrorTypesAreTheCatalogue() throws IOException {
        String rendered = render();
        String documented = Files.exists(DOCUMENT) ? Files.readString(DOCUMENT) : "";
        if (!documented.equals(rendered)) {
            Files.createDirectories(RENDERED.getParent());
            Files.writeString(RENDERED, rendered);
        }
        assertThat(documented).as("docs/problems.md (the catalogue's rendering is in " + RENDERED + ")")
                .isEqualTo(rendered);
    }

    @Test
    void slugsAreUniqueAndStatusesAreErrors() {
        for (ProblemType type : ProblemType.values()) {
            assertThat(ProblemType.ofSlug(type.slug())).contains(type);
            assertThat(type.status()).isBetween(400, 599);
            assertThat(type.answeredWhen()).doesNotContain("|");
        }
    }

    static String render() {
        StringBuilder md = new StringBuilder();
        md.append("""
                # Error types

                Every error of the API is RFC 9457 problem details, `Content-Type: application/problem+json`:
                `type` (`%s<slug>`), `title` and `status` fixed per type, `detail` for a person, and the
                extra members named below, spelled as they are sent. No answer carries class names, SQL or stack
                traces.

                This list is rendered from `platform.problem.ProblemType`, the catalogue the exception mappers and
                the OpenAPI document (`/q/openapi`, management port) take their types from; `ProblemTypesDocumentTest` fails when it
                differs, and `DocumentedExamplesTest` checks each example against a real answer.

                | status | type | title | answered when |
                |---|---|---|---|
                """.formatted(ProblemType.URI_BASE));
        for (ProblemType type : ProblemType.values()) {
            md.append("| ").append(type.status()).append(" | [`").append(type.slug()).append("`](#")
                    .append(type.slug()).append(") | ").append(type.title()).append(" | ")
                    .append(type.answeredWhen()).append(" |\n");
        }
        md.append("\n## Examples\n");
        for (ProblemType type : ProblemType.values()) {
            md.append("\n### ").append(type.slug()).append("\n\n```json\n")
                    .append(new JsonObject(type.example()).encodePrettily()).append("\n```\n");
        }
        return md.toString();
    }
}
