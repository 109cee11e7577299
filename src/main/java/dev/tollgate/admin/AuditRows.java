package dev.tollgate.admin;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tollgate.platform.jdbc.Jdbc;

/** Reads rows of {@code credit_audit_log} selected with {@link #COLUMNS}. */
@ApplicationScoped
class AuditRows {

    static final String COLUMNS = """
            id, user_id, operation, monthly_delta, granted_delta, purchased_delta, reserved_delta, monthly_after, granted_after, purchased_after,
            reserved_after, idempotency_key, request_hash, usage_id, reservation_id, actor, client_ip, user_agent,
            metadata::text AS metadata, created_at""";

    @Inject
    ObjectMapper json;

    AuditEntry read(ResultSet rs) throws SQLException {
        Long monthly = Jdbc.getNullableLong(rs, "monthly_after");
        // NULL on an admin action (as every balance); 0 on rows written before the granted bucket.
        Long granted = monthly == null ? null : Jdbc.getNullableLong(rs, "granted_after");
        Long purchased = Jdbc.getNullableLong(rs, "purchased_after");
        Long reserved = Jdbc.getNullableLong(rs, "reserved_after");
        Long available = monthly == null ? null : monthly + granted + purchased - reserved;
        return new AuditEntry(rs.getLong("id"), rs.getString("user_id"), rs.getString("operation"),
                rs.getLong("monthly_delta"), rs.getLong("granted_delta"), rs.getLong("purchased_delta"),
                rs.getLong("reserved_delta"), monthly, granted, purchased, reserved, available, rs.getString("idempotency_key"),
                rs.getString("request_hash"), Jdbc.getNullableLong(rs, "usage_id"),
                rs.getObject("reservation_id", UUID.class), rs.getString("actor"), rs.getString("client_ip"),
                rs.getString("user_agent"), metadata(rs.getString("metadata")), Jdbc.getTime(rs, "created_at"));
    }

    private JsonNode metadata(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata of an audit row is not JSON", e);
        }
    }
}
