package dev.tollgate.membership;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A member's role in a team. Owners and managers manage members and caps; only owners manage
 * roles, buy credits for the pool and delete the team. Every role spends from the pool.
 */
public enum TeamRole {
    OWNER, MANAGER, MEMBER;

    /** Whether this role manages members and their caps. */
    public boolean managesMembers() {
        return this != MEMBER;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TeamRole ofWire(String value) {
        for (TeamRole role : values()) {
            if (role.wire().equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("a role is owner, manager or member");
    }
}
