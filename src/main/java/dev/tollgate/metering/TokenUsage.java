package dev.tollgate.metering;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** One metered call: the usage normalized into pricing buckets, and what it cost. */
@Entity
public class TokenUsage extends UsageColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
}
