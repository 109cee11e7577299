package dev.tollgate.precheck;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.CurrentUser;

/** {@code POST /api/credit/pre-check}: can the caller afford this message? 200 with the estimate, or 402. */
@Tag(name = "credits", description = "The caller's credits: balance, usage, estimates and charges. The user is always the token's subject.")
@Path("/api/credit/pre-check")
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PreCheckResource {

    @Inject
    PreCheckService preCheck;

    @Inject
    CurrentUser user;

    @Operation(summary = "Estimate a prospective message",
            description = "Counts the prompt with the model's own tokenizer (OpenAI models) or its family's characters per token, adds the output budget, prices it and adds the 20% buffer, rounded up. 200 with the estimate if the available credits cover it, else 402. Nothing is held or charged.")
    @APIResponse(responseCode = "200", description = "The estimate; the available credits cover it.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PreCheckResponse.class),
                    examples = @ExampleObject(name = "example", value = "{\"model\":\"gpt-4o-mini\",\"estimatedInputTokens\":12,\"maxOutputTokens\":500,\"estimatedMillicredits\":364,\"estimatedCredits\":0.364,\"availableMillicredits\":100000,\"availableCredits\":100.0}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "insufficient-credits unknown-model")
    @APIResponse(responseCode = "402", description = "The available credits do not cover the estimate.")
    @POST
    public PreCheckResponse check(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "pre-check", value = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"maxOutputTokens\":500}")))
            @NotNull(message = "a body is required") @Valid PreCheckRequest request) {
        return preCheck.check(user.id(), request);
    }
}
