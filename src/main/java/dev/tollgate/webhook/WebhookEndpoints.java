package dev.tollgate.webhook;

import java.net.URI;
import java.sql.Array;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.tx.Transactions;

/**
 * The admin use cases of webhooks: endpoints (create, read, change, delete) and their deliveries
 * (list, replay). Every input is checked before anything is written; each change commits with its
 * Idempotency-Key, so a retry answers what the first call answered.
 */
@ApplicationScoped
public class WebhookEndpoints {

    private static final Logger LOG = Logger.getLogger(WebhookEndpoints.class);
    /** The most deliveries one list answers with. */
    static final int MAX_DELIVERIES = 500;
    private static final String COLUMNS = "id, url, event_types, enabled, description, created_at, updated_at";

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    IdempotentMutations mutations;

    @Inject
    WebhookAdminRequests requests;

    @Inject
    WebhookDeliveries deliveries;

    @Inject
    WebhooksConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    private WebhookUrlPolicy urls;

    @PostConstruct
    void init() {
        urls = WebhookUrlPolicy.of(config);
    }

    public Answer<WebhookEndpointView> create(String adminId, IdempotencyKey key, WebhookEndpointRequest request) {
        URI url = urls.check(request.url());
        List<String> types = eventTypes(request.eventTypes());
        String secret = request.secret() == null ? WebhookSecret.generate() : request.secret();
        if (WebhookSecret.key(secret).isEmpty()) {
            throw WebhookProblem.secretInvalid();
        }
        UUID id = UUID.randomUUID();
        boolean enabled = request.enabled() == null || request.enabled();
        Answer<WebhookEndpointView> answer = idempotently(adminId, key, "webhook-endpoint.create", request,
                WebhookEndpointView.class, () -> {
                    insert(id, url.toString(), secret, types, enabled, request.description());
                    return find(id).orElseThrow().withSecret(secret);
                });
        if (!answer.replayed()) {
            LOG.infof("admin %s created webhook endpoint %s", adminId, answer.value().id());
        }
        return answer;
    }

    public List<WebhookEndpointView> list() {
        return transactions.inNewTransaction(() -> select("SELECT " + COLUMNS + " FROM webhook_endpoint ORDER BY created_at, id",
                null));
    }

    public WebhookEndpointView get(UUID id) {
        return transactions.inNewTransaction(() -> find(id)).orElseThrow(WebhookProblem::endpointNotFound);
    }

    public Answer<WebhookEndpointView> update(String adminId, IdempotencyKey key, UUID id, WebhookEndpointUpdate update) {
        URI url = update.url() == null ? null : urls.check(update.url());
        List<String> types = update.eventTypes() == null ? null : eventTypes(update.eventTypes());
        return idempotently(adminId, key, "webhook-endpoint.update:" + id, update, WebhookEndpointView.class, () -> {
            int changed = execute("""
                    UPDATE webhook_endpoint SET url = COALESCE(?, url), event_types = COALESCE(?, event_types),
                           enabled = COALESCE(?, enabled), description = COALESCE(?, description), updated_at = ?
                     WHERE id = ?""", (c, ps) -> {
                ps.setString(1, url == null ? null : url.toString());
                ps.setArray(2, types == null ? null : c.createArrayOf("text", types.toArray()));
                ps.setObject(3, update.enabled());
                ps.setString(4, update.description());
                Jdbc.setTime(ps, 5, now());
                ps.setObject(6, id);
            });
            if (changed == 0) {
                throw WebhookProblem.endpointNotFound();
            }
            return find(id).orElseThrow();
        });
    }

    /** What deleting an endpoint answers. */
    @Schema(name = "WebhookEndpointDeleted")
    public record Deleted(UUID id, boolean deleted) {
    }

    /** Deletes the endpoint with its deliveries (the events stay). */
    public Answer<Deleted> delete(String adminId, IdempotencyKey key, UUID id) {
        Answer<Deleted> answer = idempotently(adminId, key, "webhook-endpoint.delete:" + id, id.toString(), Deleted.class,
                () -> {
                    if (execute("DELETE FROM webhook_endpoint WHERE id = ?", (c, ps) -> ps.setObject(1, id)) == 0) {
                        throw WebhookProblem.endpointNotFound();
                    }
                    return new Deleted(id, true);
                });
        LOG.infof("admin %s deleted webhook endpoint %s", adminId, id);
        return answer;
    }

    public List<WebhookDeliveryView> deliveries(UUID endpointId, String status, int limit) {
        return transactions.inNewTransaction(() -> {
            if (find(endpointId).isEmpty()) {
                throw WebhookProblem.endpointNotFound();
            }
            return deliveries.ofEndpoint(endpointId, status, Math.min(limit, MAX_DELIVERIES), clock.instant());
        });
    }

    /** Sends a delivery again, with its webhook-id, from the first attempt on. */
    public Answer<WebhookDeliveryView> replay(String adminId, IdempotencyKey key, long deliveryId) {
        Answer<WebhookDeliveryView> answer = idempotently(adminId, key, "webhook-delivery.replay:" + deliveryId,
                Long.toString(deliveryId), WebhookDeliveryView.class,
                () -> deliveries.replay(deliveryId, now()).orElseThrow(WebhookProblem::deliveryNotFound));
        LOG.infof("admin %s replayed webhook delivery %d", adminId, deliveryId);
        return answer;
    }

    /** The types, each known, without repeats; empty: every type. */
    private static List<String> eventTypes(List<String> types) {
        if (types == null) {
            return List.of();
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String type : types) {
            if (!WebhookEventTypes.isKnown(type)) {
                throw WebhookProblem.unknownEventType(type);
            }
            distinct.add(type);
        }
        return List.copyOf(distinct);
    }

    private interface Work<A> {
        A run();
    }

    /** Runs {@code work} in a new transaction that also stores its answer under the admin's key. */
    private <A> Answer<A> idempotently(String adminId, IdempotencyKey key, String operation, Object request,
            Class<A> answerType, Work<A> work) {
        IdempotentRequest keyed = IdempotentRequest.of(key, operation, request);
        return mutations.apply(() -> {
            // The key first: a retry stops on it before it could meet what the first call changed
            // (a deleted endpoint), and is answered from what the first call stored.
            requests.record(adminId, keyed.key(), keyed.requestHash());
            A answer = work.run();
            requests.answer(adminId, keyed.key(), write(answer));
            return answer;
        }, Repeat.replayed(keyed, k -> requests.find(adminId, k), stored -> true,
                stored -> read(stored.answer(), answerType)));
    }

    private String write(Object answer) {
        try {
            return json.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer cannot be stored", e);
        }
    }

    private <A> A read(String answer, Class<A> type) {
        try {
            return json.readValue(answer, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored answer cannot be read", e);
        }
    }

    private Instant now() {
        // PostgreSQL keeps microseconds: the time answered is the time a replay reads back.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private void insert(UUID id, String url, String secret, List<String> types, boolean enabled, String description) {
        Instant now = now();
        execute("""
                INSERT INTO webhook_endpoint (id, url, secret, event_types, enabled, description, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", (c, ps) -> {
            ps.setObject(1, id);
            ps.setString(2, url);
            ps.setString(3, secret);
            ps.setArray(4, c.createArrayOf("text", types.toArray()));
            ps.setBoolean(5, enabled);
            ps.setString(6, description);
            Jdbc.setTime(ps, 7, now);
            Jdbc.setTime(ps, 8, now);
        });
    }

    private Optional<WebhookEndpointView> find(UUID id) {
        return select("SELECT " + COLUMNS + " FROM webhook_endpoint WHERE id = ?", id).stream().findFirst();
    }

    private int execute(String sql, Rows.Parameters parameters) {
        return Rows.update(dataSource, "write webhook endpoint", sql, parameters);
    }

    private List<WebhookEndpointView> select(String sql, UUID id) {
        return Rows.query(dataSource, "read webhook endpoints", sql, (c, ps) -> {
            if (id != null) {
                ps.setObject(1, id);
            }
        }, rs -> {
            Array types = rs.getArray("event_types");
            return new WebhookEndpointView(rs.getObject("id", UUID.class), rs.getString("url"),
                    Arrays.asList((String[]) types.getArray()), rs.getBoolean("enabled"),
                    rs.getString("description"), Jdbc.getTime(rs, "created_at"), Jdbc.getTime(rs, "updated_at"),
                    null);
        });
    }
}
