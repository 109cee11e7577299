package dev.tollgate.testing;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The shape of a JSON body: the names of its members and the kind of each value, nested. Two bodies
 * that differ only in their values have the same shape; a member named in another case, missing,
 * extra or of another kind changes it. For checking a documented example against a real answer.
 */
public final class JsonShape {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonShape() {
    }

    public static Object of(String json) {
        try {
            return of(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    public static Object of(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> members = new TreeMap<>();
            node.fields().forEachRemaining(member -> members.put(member.getKey(), of(member.getValue())));
            return members;
        }
        if (node.isArray()) {
            return node.isEmpty() ? "[]" : "[" + of(node.get(0)) + "]";
        }
        return node.isNumber() ? "number" : node.getNodeType().name().toLowerCase();
    }
}
