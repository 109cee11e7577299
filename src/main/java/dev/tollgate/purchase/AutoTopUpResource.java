package dev.tollgate.purchase;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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

/** {@code GET}, {@code PUT /api/credit/auto-top-up}: the caller's auto top-up. */
@Tag(name = "purchases")
@Path("/api/credit/auto-top-up")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class AutoTopUpResource {

    static final String EXAMPLE = "{\"enabled\":true,\"thresholdCredits\":20,\"packId\":\"small\",\"paymentMethodSaved\":true,\"consecutiveFailures\":0,\"disabledReason\":null}";

    @Inject
    AutoTopUpSettings settings;

    @Inject
    CurrentUser user;

    @Operation(summary = "The caller's auto top-up",
            description = "On or off, the threshold and the pack; whether a card is saved (a purchase made with auto top-up on saves it); the failed payments in a row, and why it switched itself off (after 3).")
    @APIResponse(responseCode = "200", description = "The setting.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AutoTopUpView.class),
                    examples = @ExampleObject(name = "example", value = EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "purchases-not-configured")
    @GET
    public AutoTopUpView get() {
        return settings.of(user.id());
    }

    @Operation(summary = "Set the caller's auto top-up",
            description = "When a balance change takes the available credits below thresholdCredits, the pack is bought with the saved card (at most one at a time). Switching it on again clears the failures. The whole setting is sent, so a repeat changes nothing.")
    @APIResponse(responseCode = "200", description = "The setting as stored.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AutoTopUpView.class),
                    examples = @ExampleObject(name = "example", value = EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "unknown-pack purchases-not-configured")
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public AutoTopUpView set(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "auto top-up", value = "{\"enabled\":true,\"thresholdCredits\":20,\"packId\":\"small\"}")))
            @NotNull(message = "a body is required") @Valid AutoTopUpRequest request) {
        return settings.set(user.id(), request);
    }
}
