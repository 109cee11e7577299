package dev.tollgate.ratelimit;

import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.problem.ProblemType;

/**
 * Documents the 429 of every operation of the API in the OpenAPI document, at build time: the tier
 * the operation is counted in — decided by {@link Tier#of}, so the document follows the rules — what
 * that tier covers, and the {@code Retry-After} header. The examples show the shipped limits; the
 * limits themselves are configuration.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class RateLimitResponsesFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> operation : item.getOperations().entrySet()) {
                Tier tier = Tier.of(operation.getKey().name(), path);
                if (tier != null) {
                    document(operation.getValue(), tier);
                }
            }
        });
    }

    private static void document(Operation operation, Tier tier) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        if (responses.getAPIResponse("429") != null) {
            return;
        }
        Header retryAfter = OASFactory.createHeader()
                .description("Seconds until one more call of the tier is admitted.")
                .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER));
        responses.addAPIResponse(Integer.toString(ProblemType.RATE_LIMITED.status()), OASFactory.createAPIResponse()
                .description("Over the caller's rate limit in the `" + tier.key() + "` tier (" + covers(tier)
                        + "): nothing was done. Retry after `Retry-After` seconds; every answer's RateLimit-Limit, "
                        + "RateLimit-Remaining and RateLimit-Reset headers say where the caller stands.")
                .addHeader("Retry-After", retryAfter)
                .content(OASFactory.createContent().addMediaType(ApiDocs.PROBLEM_JSON, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref(ApiDocs.PROBLEM_SCHEMA))
                        .addExample(ProblemType.RATE_LIMITED.slug(), OASFactory.createExample().value(example(tier))))));
    }

    private static String covers(Tier tier) {
        return switch (tier) {
            case MESSAGES -> "everything that starts or records one chat message — the metered chat call, new "
                    + "reservations and charges — one allowance per user; 30 per minute by default";
            case SENSITIVE -> "money moved by people: admin adjustments, purchases and refunds; 10 per 5 minutes by default";
            case WEBHOOKS -> "a payment provider's event deliveries, per sending address; 1200 per minute by default";
            case GENERAL -> "every call not in another tier; 100 per minute by default";
        };
    }

    /** The problem body of a refusal at the shipped limits of the tier. */
    private static String example(Tier tier) {
        int limit;
        int periodSeconds;
        switch (tier) {
            case MESSAGES -> {
                limit = 30;
                periodSeconds = 60;
            }
            case SENSITIVE -> {
                limit = 10;
                periodSeconds = 300;
            }
            case WEBHOOKS -> {
                limit = 1200;
                periodSeconds = 60;
            }
            default -> {
                limit = 100;
                periodSeconds = 60;
            }
        }
        long retryAfter = (periodSeconds + limit - 1) / limit;
        ProblemType type = ProblemType.RATE_LIMITED;
        return "{\"type\":\"" + type.uri() + "\",\"title\":\"" + type.title() + "\",\"status\":" + type.status() + ","
                + "\"detail\":\"At most " + limit + " requests per " + periodSeconds / 60 + " min in the '" + tier.key()
                + "' tier; retry in " + retryAfter + " s.\",\"tier\":\"" + tier.key() + "\",\"limit\":" + limit
                + ",\"periodSeconds\":" + periodSeconds + ",\"retryAfterSeconds\":" + retryAfter + "}";
    }
}
