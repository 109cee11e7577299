package dev.tollgate.chat;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;
import io.vertx.core.json.JsonObject;

import dev.tollgate.ledger.HoldsConfig;
import dev.tollgate.ledger.Payer;
import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.platform.idempotency.IdempotencyConflictException;
import dev.tollgate.platform.launch.Launch;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.provider.ProviderClient;
import dev.tollgate.provider.ProviderFailure;
import dev.tollgate.provider.ProviderStream;
import dev.tollgate.provider.ProvidersConfig;
import dev.tollgate.tokens.EstimationConfig;
import dev.tollgate.tokens.PromptCounter;
import dev.tollgate.tokens.TokenEstimator;

/**
 * Opens a metered chat call: counts the whole prompt, holds its estimate with the output budget
 * capped at what the user can afford ({@link MeteredCalls#holdAffordable}), and opens the upstream
 * stream with that budget. A provider that fails before answering frees the hold (nothing
 * charged); one whose outcome is unknown — the request was sent and no answer came — is charged
 * the hold ({@link CallOutcomeUnknownException}). The open {@link ChatCall} is read and settled by
 * its caller.
 */
@ApplicationScoped
public class ChatService {

    /** What a hold must outlast beyond its call: the settle's own patience with a database that is away. */
    static final Duration HOLD_MARGIN = MeteredCalls.SETTLE_PATIENCE;

    @Inject
    MeteredCalls meteredCalls;

    @Inject
    IdempotentMutations mutations;

    @Inject
    ProviderClient provider;

    @Inject
    PromptCounter promptCounter;

    @Inject
    TokenEstimator tokens;

    @Inject
    EstimationConfig estimation;

    @Inject
    ChatConfig config;

    ChatCall open(Payer payer, String idempotencyKey, ChatRequest request, RequestOrigin origin) {
        String model = request.model();
        provider.requireServed(model);
        IdempotencyKey key = new IdempotencyKey(idempotencyKey != null ? idempotencyKey : "chatcmpl-" + UUID.randomUUID());
        long promptTokens = promptCounter.tokens(model, request.prompt());
        long wanted = request.requestedMaxTokens() != null ? request.requestedMaxTokens() : estimation.defaultMaxOutputTokens();
        IdempotentRequest call = IdempotentRequest.of(key, "chat", model + "\n" + request.forwarded());
        // Completions are not stored (we keep no prompts or answers), so a key is used once.
        MeteredCalls.Held held = mutations.applyCommitting(
                () -> meteredCalls.holdAffordable(payer, call, model, promptTokens, wanted, request.characterId(),
                        request.conversationId(), origin),
                Repeat.<MeteredCalls.Held> refused(IdempotencyConflictException::new)).value();
        String budgetField = tokens.isReasoning(model) ? "max_completion_tokens" : "max_tokens";
        JsonObject upstream = new JsonObject(request.upstreamBody(held.maxOutputTokens(), budgetField, endUserId(payer.userId()))
                .toString());
        ProviderStream stream;
        try {
            stream = provider.stream(model, upstream).await().indefinitely();
        } catch (ProviderFailure failure) {
            if (failure.outcomeUnknown()) {
                MeteredCalls.Charged charged = meteredCalls.chargeHold(held, request.characterId(), request.conversationId(),
                        origin);
                throw new CallOutcomeUnknownException(failure, charged.cost().value());
            }
            meteredCalls.releaseUnused(held, origin);
            throw failure;
        } catch (RuntimeException e) {
            meteredCalls.releaseUnused(held, origin);
            throw e;
        }
        return new ChatCall(held, request, stream, origin, meteredCalls, tokens);
    }

    /**
     * The id of the end user sent upstream ({@code user}, {@code safety_identifier}): a hash of the
     * token's subject, keyed with {@code tollgate.chat.end-user-id-key} when set, so that the
     * provider can tell users apart without learning who they are.
     */
    String endUserId(String subject) {
        byte[] text = ("tollgate-end-user:" + subject).getBytes(StandardCharsets.UTF_8);
        try {
            if (config.endUserIdKey().isPresent()) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(config.endUserIdKey().get().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                return HexFormat.of().formatHex(mac.doFinal(text));
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the end-user id cannot be computed", e);
        }
    }

    /**
     * A hold must outlive its call: every upstream's {@code max-call-duration}, with the margin the
     * settle needs, must fit in {@code tollgate.holds.ttl}. Checked once at start-up of the HTTP
     * function (the job command opens no call).
     */
    static void checkHoldsOutliveCalls(@Observes StartupEvent started, @CommandLineArguments String[] arguments,
            ProvidersConfig providers, HoldsConfig holds) {
        if (Launch.isJob(arguments)) {
            return;
        }
        Map<String, Duration> longestCalls = new java.util.TreeMap<>();
        providers.upstreams().forEach((name, upstream) -> longestCalls.put(name, upstream.maxCallDuration()));
        requireHoldsOutliveCalls(longestCalls, holds.ttl());
    }

    /** @throws IllegalStateException naming the first upstream whose longest call, with the margin, exceeds the hold TTL */
    static void requireHoldsOutliveCalls(Map<String, Duration> longestCallByUpstream, Duration holdTtl) {
        longestCallByUpstream.forEach((upstream, longest) -> {
            if (longest.plus(HOLD_MARGIN).compareTo(holdTtl) > 0) {
                throw new IllegalStateException("tollgate.providers." + upstream + ".max-call-duration (" + longest
                        + ") plus " + HOLD_MARGIN + " must not exceed tollgate.holds.ttl (" + holdTtl
                        + "): a hold must outlive its call");
            }
        });
    }
}
