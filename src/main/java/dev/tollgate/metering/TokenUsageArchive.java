package dev.tollgate.metering;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A {@link TokenUsage} row past the retention, moved here by the archival job. */
@Entity
@Table(name = "token_usage_archive")
public class TokenUsageArchive extends UsageColumns {

    @Id
    public Long id;

    @Column(name = "archived_at", nullable = false)
    public Instant archivedAt;
}
