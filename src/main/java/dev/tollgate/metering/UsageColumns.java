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

    public String userId;
    public String requestId;
    public String model;
    public String characterId;
    public String conversationId;
    public long inputTokens;
    public long cachedInputTokens;
    public long cacheWriteTokens;
    public long outputTokens;
    public long reasoningTokens;
    public long totalTokens;
    public long costMillicredits;
    public boolean estimated;
    public long pricingId;

    @Column(name = "reservation_id")
    public UUID holdId;

    /** What the call cost beyond what could be charged (a settle above its hold); 0 for almost every call. */
    public long shortfallMillicredits;

    public Instant createdAt;

    /** The member of a team pool who made the call; null on a user's own account. */
    public String memberId;
}
