package dev.tollgate.chat;

import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.vertx.core.json.JsonObject;

import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.pricing.Usage;
import dev.tollgate.provider.ProviderFailure;
import dev.tollgate.provider.ProviderStream;
import dev.tollgate.provider.UsageNormalizer;
import dev.tollgate.tokens.TokenEstimator;

/**
 * A metered chat call whose hold is placed and whose upstream stream is open. {@link #run} reads
 * the stream to its end — whatever the client does: a client that goes away or stops reading is
 * let go, and the stream is still read until the provider's final usage chunk, its failure or the
 * call's deadline — then settles: the provider's usage if it reported one, else the count of what
 * was seen (the whole prompt, the output shown, and for a reasoning model the whole output budget),
 * marked estimated; a call cut mid-stream without usage is charged its whole output budget (what the
 * provider generated unread is unknown). A call that failed before any output and reported no usage
 * is released. Runs once.
 */
final class ChatCall {

    private static final Logger LOG = Logger.getLogger(ChatCall.class);
    /** Framing of one tool call in the output beyond its name and arguments (as counted for prompts). */
    static final int TOKENS_PER_TOOL_CALL = 10;

    /** How the call ended: what was charged (null when the hold was released) and the provider's failure, if any. */
    record Ended(MeteredCalls.Charged charged, ProviderFailure failure) {
    }

    private final MeteredCalls.Held held;
    private final ChatRequest request;
    private final ProviderStream stream;
    private final RequestOrigin origin;
    private final MeteredCalls meteredCalls;
    private final TokenEstimator tokens;
    private final AtomicBoolean started = new AtomicBoolean();

    ChatCall(MeteredCalls.Held held, ChatRequest request, ProviderStream stream, RequestOrigin origin,
            MeteredCalls meteredCalls, TokenEstimator tokens) {
        this.held = held;
        this.request = request;
        this.stream = stream;
        this.origin = origin;
        this.meteredCalls = meteredCalls;
        this.tokens = tokens;
    }

    MeteredCalls.Held held() {
        return held;
    }

    /** Whether {@link #run} has been called. */
    boolean started() {
        return started.get();
    }

    /**
     * Reads the call to its end, handing every chunk to the sink while it takes them, and settles
     * it. Blocks (a worker thread); never throws for what the provider or the client did.
     *
     * @param sink where the chunks go; null for none
     * @return how the call ended; empty if it was run already (a call runs once)
     */
    Optional<Ended> run(ChunkSink sink) {
        if (!started.compareAndSet(false, true)) {
            return Optional.empty();
        }
        return Optional.of(readAndSettle(sink));
    }

    private Ended readAndSettle(ChunkSink sink) {
        ChunkObserver observer = new ChunkObserver();
        boolean attached = sink != null;
        ProviderFailure failure = null;
        try (Stream<String> events = stream.events().subscribe().asStream()) {
            Iterator<String> chunks = events.iterator();
            while (chunks.hasNext()) {
                String chunk = chunks.next();
                observer.observe(chunk);
                if (attached && !sink.accept(chunk)) {
                    attached = false;
                    LOG.infof("hold %s: the client is gone; reading the provider on for its usage", held.holdId());
                }
            }
        } catch (RuntimeException e) {
            failure = providerFailure(e);
        } finally {
            stream.cancel();
        }
        if (failure != null) {
            LOG.infof("hold %s: the provider's stream ended early (%s)", held.holdId(), failure.reason());
        }
        return settle(observer, failure);
    }

    private Ended settle(ChunkObserver observer, ProviderFailure failure) {
        Optional<Usage> reported = observer.usage().flatMap(this::normalized);
        if (reported.isEmpty() && failure != null && !observer.producedOutput()) {
            meteredCalls.releaseUnused(held, origin);
            return new Ended(null, failure);
        }
        MeteredCalls.Outcome outcome = reported
                .map(usage -> new MeteredCalls.Outcome(usage, false, request.characterId(), request.conversationId()))
                .orElseGet(() -> new MeteredCalls.Outcome(failure == null ? counted(observer) : cut(observer), true,
                        request.characterId(), request.conversationId()));
        return new Ended(meteredCalls.settleAfterAnswer(held, outcome, origin), failure);
    }

    /**
     * What the call used when the provider did not say: the whole prompt as held, the output seen
     * (text, refusals, visible reasoning, tool calls with their framing), at most the output budget
     * the provider was given — but at least one token per chunk of output it streamed, for a
     * provider that ignored the budget — and for a model that reasons unseen the rest of that budget
     * as reasoning, since it may have spent it.
     */
    Usage counted(ChunkObserver observer) {
        String model = held.price().model();
        long text = tokens.textTokens(model, observer.generatedText());
        long framing = Math.multiplyExact((long) observer.toolCallCount(), TOKENS_PER_TOOL_CALL);
        // A provider bills at most the output budget it was given; the count (our tokenizer's, or a
        // ratio's, plus the framing of tool calls) may come out above it, and is then the budget. A
        // provider that ignores the budget streams more chunks of output than it: each is at least a
        // token it bills, so the chunks bound the output from below.
        long output = Math.max(Math.min(Math.addExact(text, framing), held.maxOutputTokens()), observer.outputChunks());
        long unseenReasoning = tokens.isReasoning(model) ? Math.max(0, held.maxOutputTokens() - output) : 0;
        return new Usage(held.promptTokens(), 0, 0, output, unseenReasoning);
    }

    /**
     * What a call cut mid-stream (by the provider, the connection, or its deadline) used when the
     * provider did not say: the output it generated but we did not read is unknown, so the whole output
     * budget it was given (at least the chunks seen): as for a call whose outcome is unknown, the bound
     * the hold was placed for, never less than the provider bills.
     */
    Usage cut(ChunkObserver observer) {
        Usage seen = counted(observer);
        // A reasoning model's count already reaches the budget (the unseen rest as reasoning).
        long output = Math.max(seen.output(), held.maxOutputTokens() - seen.reasoning());
        return new Usage(seen.uncachedInput(), 0, 0, output, seen.reasoning());
    }

    /** The provider's failure that ended the stream (the closed stream's own failure when there is none). */
    private ProviderFailure providerFailure(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProviderFailure failure) {
                return failure;
            }
        }
        return new ProviderFailure(stream.upstream(), ProviderFailure.Reason.INTERRUPTED, e.getClass().getSimpleName());
    }

    /** The provider's usage, normalized; inconsistent numbers are logged and the call is counted instead. */
    private Optional<Usage> normalized(JsonObject usage) {
        try {
            return UsageNormalizer.normalize(usage);
        } catch (RuntimeException e) {
            LOG.warnf("hold %s: the provider's usage is unusable (%s); counting instead", held.holdId(),
                    e.getMessage());
            return Optional.empty();
        }
    }
}
