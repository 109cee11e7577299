package dev.tollgate.metering;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A {@link TokenUsage} row past the retention, moved here by the archival job. */
@Entity
public class TokenUsageArchive extends UsageColumns {

    @Id
    public Long id;

    public Instant archivedAt;
}
