package dev.tollgate.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The caller's usage over a range: totals, the breakdowns asked for, and one page of the calls. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageReport(LocalDate from, LocalDate to, Totals totals, List<Group> byDay, List<Group> byModel,
        List<Group> byCharacter, CallPage calls) {

    /** Sums over a set of calls. */
    public record Totals(long calls, long uncachedInputTokens, long cachedInputTokens, long cacheWriteTokens,
            long outputTokens, long reasoningTokens, long totalTokens, long costMillicredits, BigDecimal costCredits) {
    }

    /** Sums over the calls of one day, model or character ({@code key} is null for calls without a character). */
    public record Group(String key, Totals totals) {
    }

    public record CallPage(int page, int size, long totalCalls, List<Call> items) {
    }

    public record Call(long id, String requestId, String model, String characterId, String conversationId,
            long uncachedInputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens,
            long reasoningTokens, long totalTokens, long costMillicredits, BigDecimal costCredits, boolean estimated,
            UUID reservationId, Instant createdAt) {
    }
}
