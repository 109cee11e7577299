package dev.tollgate.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.ledger.AdminAction;
import dev.tollgate.ledger.AdminActionLog;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.PricingConfig;

/**
 * Reads and schedules model prices. A new price is a new {@code model_pricing} row taking effect
 * from an instant that is not in the past; old rows stay. By default that instant is now plus the
 * price cache TTL, so that every instance has read the row before it applies. This instance's
 * cache is emptied at once; the others see the row within one TTL. Each change is audited
 * ({@link AdminAction#PRICE_CHANGE}: the admin, the new prices and the reason) in its transaction.
 */
@ApplicationScoped
public class AdminPricingService {

    /** The most rows one answer carries. */
    static final int MAX_ROWS = 5_000;
    /** How far ahead a price may be scheduled: a guard against a mistyped year. */
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(366);
    private static final Logger LOG = Logger.getLogger(AdminPricingService.class);
    private static final String COLUMNS = """
            id, model, input_credits_per_million, cached_input_credits_per_million, cache_write_credits_per_million,
            output_credits_per_million, reasoning_credits_per_million, effective_from, created_at""";
    private static final String INSERT = """
            INSERT INTO model_pricing (model, input_credits_per_million, cached_input_credits_per_million,
                   cache_write_credits_per_million, output_credits_per_million, reasoning_credits_per_million,
                   effective_from)
            VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""";

    @Inject
    DataSource dataSource;

    @Inject
    PriceList priceList;

    @Inject
    PricingConfig pricing;

    @Inject
    Transactions transactions;

    @Inject
    IdempotentMutations mutations;

    @Inject
    Clock clock;

    @Inject
    AdminActionLog adminActions;

    @Inject
    ObjectMapper json;

    /** Every row of every model, or of one model. */
    public PriceSheet sheet(String model) {
        Instant now = clock.instant();
        List<PriceRow> rows = transactions.inNewTransaction(() -> read(model, now));
        boolean truncated = rows.size() > MAX_ROWS;
        Map<String, List<PriceRow>> byModel = new LinkedHashMap<>();
        for (PriceRow row : truncated ? rows.subList(0, MAX_ROWS) : rows) {
            byModel.computeIfAbsent(row.model(), m -> new ArrayList<>()).add(row);
        }
        List<PriceSheet.ModelPrices> models = byModel.entrySet().stream()
                .map(e -> new PriceSheet.ModelPrices(e.getKey(), e.getValue()))
                .toList();
        return new PriceSheet(now, models, truncated);
    }

    public PriceChangeResponse change(String adminId, String model, PriceChangeRequest request,
            RequestOrigin origin) {
        Instant now = clock.instant();
        Duration cacheTtl = pricing.cacheTtl();
        // PostgreSQL keeps microseconds: the instant answered is the instant stored.
        Instant effectiveFrom = (request.effectiveFrom() == null ? now.plus(cacheTtl) : parse(request.effectiveFrom()))
                .truncatedTo(ChronoUnit.MICROS);
        if (effectiveFrom.isBefore(now.truncatedTo(ChronoUnit.MICROS))) {
            throw AdminProblem.invalid("'effectiveFrom' is in the past; a price takes effect from now on, "
                    + "the past is never repriced.");
        }
        if (effectiveFrom.isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
            throw AdminProblem.invalid("'effectiveFrom' is at most " + MAX_SCHEDULE_AHEAD.toDays() + " days ahead.");
        }
        // The price and its audit row commit together. The model and the instant are the row's key:
        // a second price at the same instant is refused, as prices are never changed in place.
        long id = mutations.apply(() -> {
            long priceId = insert(model, request, effectiveFrom);
            audit(adminId, priceId, model, request, effectiveFrom, origin);
            return priceId;
        }, Repeat.<Long> refused(AdminProblem::priceAlreadyScheduled)).value();
        priceList.evictAll();
        LOG.infof("admin %s scheduled price %d of model %s from %s", adminId, id, model, effectiveFrom);
        List<PriceRow> history = read(model, clock.instant());
        PriceRow created = history.stream().filter(row -> row.id() == id).findFirst()
                .orElseThrow(() -> new IllegalStateException("price row " + id + " not found after insert"));
        Instant cachesRefreshed = now.plus(cacheTtl).truncatedTo(ChronoUnit.MICROS);
        Instant everywhere = effectiveFrom.isAfter(cachesRefreshed) ? effectiveFrom : cachesRefreshed;
        return new PriceChangeResponse(created, everywhere, history, PriceChangeResponse.NOTE);
    }

    private void audit(String adminId, long priceId, String model, PriceChangeRequest request,
            Instant effectiveFrom, RequestOrigin origin) {
        ObjectNode details = json.createObjectNode();
        details.put("admin", adminId);
        details.put("priceId", priceId);
        details.put("model", model);
        details.put("inputCreditsPerMillion", request.inputCreditsPerMillion());
        details.put("cachedInputCreditsPerMillion", request.cachedInputCreditsPerMillion());
        details.put("cacheWriteCreditsPerMillion", request.cacheWriteCreditsPerMillion());
        details.put("outputCreditsPerMillion", request.outputCreditsPerMillion());
        details.put("reasoningCreditsPerMillion", request.reasoningCreditsPerMillion());
        details.put("effectiveFrom", effectiveFrom.toString());
        adminActions.record(AdminAction.PRICE_CHANGE, AdminActionLog.ADMIN_ACTOR_PREFIX + adminId, request.reason(),
                details, origin);
    }

    private long insert(String model, PriceChangeRequest request, Instant effectiveFrom) {
        return Rows.one(dataSource, "insert price", INSERT, (c, ps) -> {
            ps.setString(1, model);
            ps.setBigDecimal(2, request.inputCreditsPerMillion());
            ps.setBigDecimal(3, request.cachedInputCreditsPerMillion());
            ps.setBigDecimal(4, request.cacheWriteCreditsPerMillion());
            ps.setBigDecimal(5, request.outputCreditsPerMillion());
            if (request.reasoningCreditsPerMillion() == null) {
                ps.setNull(6, Types.NUMERIC);
            } else {
                ps.setBigDecimal(6, request.reasoningCreditsPerMillion());
            }
            Jdbc.setTime(ps, 7, effectiveFrom);
        }, rs -> rs.getLong(1));
    }

    /** Rows newest first per model (models by name), one more than {@link #MAX_ROWS} at most. */
    private List<PriceRow> read(String model, Instant now) {
        String sql = "SELECT " + COLUMNS + " FROM model_pricing" + (model == null ? "" : " WHERE model = ?")
                + " ORDER BY model, effective_from DESC LIMIT ?";
        List<PriceRow> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (model != null) {
                ps.setString(i++, model);
            }
            ps.setInt(i, MAX_ROWS + 1);
            try (ResultSet rs = ps.executeQuery()) {
                String modelOfRow = null;
                boolean currentSeen = false;
                while (rs.next()) {
                    String name = rs.getString("model");
                    if (!name.equals(modelOfRow)) {
                        modelOfRow = name;
                        currentSeen = false;
                    }
                    Instant from = Jdbc.getTime(rs, "effective_from");
                    String status;
                    if (from.isAfter(now)) {
                        status = PriceRow.SCHEDULED;
                    } else if (!currentSeen) {
                        status = PriceRow.CURRENT;
                        currentSeen = true;
                    } else {
                        status = PriceRow.SUPERSEDED;
                    }
                    rows.add(new PriceRow(rs.getLong("id"), name, rs.getBigDecimal("input_credits_per_million"),
                            rs.getBigDecimal("cached_input_credits_per_million"),
                            rs.getBigDecimal("cache_write_credits_per_million"),
                            rs.getBigDecimal("output_credits_per_million"),
                            rs.getBigDecimal("reasoning_credits_per_million"), from, Jdbc.getTime(rs, "created_at"),
                            PriceRow.CURRENT.equals(status), status));
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("read prices", e);
        }
        return rows;
    }

    private static Instant parse(String instant) {
        try {
            return Instant.parse(instant);
        } catch (DateTimeException e) {
            throw AdminProblem.invalid("'effectiveFrom' is not an ISO-8601 instant such as 2030-01-01T00:00:00Z.");
        }
    }
}
