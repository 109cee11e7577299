package dev.tollgate.metering;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * The columns a usage row has both while it is live ({@link TokenUsage}) and once archived
 * ({@link TokenUsageArchive}): the usage normalized into pricing buckets, and what it cost. The id
 * is each table's own (generated for a live row, carried over into the archive).
 */
@MappedSuperclass
public abstract class UsageColumns extends PanacheEntityBase {

    @Column(name = "user_id", nullable = false, length = 255)
    public String userId;

    @Column(name = "request_id", nullable = false, length = 255)
    public String requestId;

    @Column(nullable = false, length = 128)
    public String model;

    @Column(name = "character_id", length = 128)
    public String characterId;

    @Column(name = "conversation_id", length = 128)
    public String conversationId;

    @Column(name = "input_tokens", nullable = false)
    public long inputTokens;

    @Column(name = "cached_input_tokens", nullable = false)
    public long cachedInputTokens;

    @Column(name = "cache_write_tokens", nullable = false)
    public long cacheWriteTokens;

    @Column(name = "output_tokens", nullable = false)
    public long outputTokens;

    @Column(name = "reasoning_tokens", nullable = false)
    public long reasoningTokens;

    @Column(name = "total_tokens", nullable = false)
    public long totalTokens;

    @Column(name = "cost_millicredits", nullable = false)
    public long costMillicredits;

    @Column(nullable = false)
    public boolean estimated;

    @Column(name = "pricing_id", nullable = false)
    public long pricingId;

    @Column(name = "reservation_id")
    public UUID holdId;

    /** What the call cost beyond what could be charged (a settle above its hold); 0 for almost every call. */
    @Column(name = "shortfall_millicredits", nullable = false)
    public long shortfallMillicredits;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** The member of a team pool who made the call; null on a user's own account. */
    @Column(name = "member_id", length = 255)
    public String memberId;
}
