package dev.tollgate.team;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.tollgate.admin.AdminInput;
import dev.tollgate.membership.TeamRole;
import dev.tollgate.platform.audit.Reason;

/** The bodies of the team calls. */
public final class TeamRequests {

    /** The largest cap: a million credits, far below an overflow of the buckets. */
    public static final long MAX_CAP = 1_000_000_000_000L;
    public static final int MAX_NAME = 200;
    public static final int MAX_INITIAL_MEMBERS = 100;

    private TeamRequests() {
    }

    /**
     * A new team: its name, optionally the value of the membership claim whose holders are its
     * members (the creator's token must carry it), and members to add besides the creator, who
     * becomes its owner.
     */
    // Fingerprinted by RequestHash's own ObjectMapper: registered for the native image.
    @RegisterForReflection
    @Schema(name = "TeamRequest")
    public record Create(
            @NotBlank @Size(max = MAX_NAME) @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String name,
            @Size(min = 1, max = AdminInput.USER_ID_MAX) @Pattern(regexp = AdminInput.USER_ID, message = "is not a claim value (1 to 255 printable ASCII characters)") String claimValue,
            @Size(max = MAX_INITIAL_MEMBERS) List<@NotNull @Valid Member> members) {

        List<Member> membersOrNone() {
            return members == null ? List.of() : members;
        }
    }

    /** A member to add with a team. */
    @RegisterForReflection
    @Schema(name = "TeamMemberRequest")
    public record Member(
            @NotNull @Size(max = AdminInput.USER_ID_MAX) @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId,
            TeamRole role,
            @Min(0) @Max(MAX_CAP) Long capMillicredits) {

        TeamRole roleOrMember() {
            return role == null ? TeamRole.MEMBER : role;
        }
    }

    /** A member's role and monthly cap, as {@code PUT} sets them: no role keeps theirs (member for a new one); no cap, none. */
    @RegisterForReflection
    @Schema(name = "TeamMemberSettings")
    public record MemberSettings(TeamRole role, @Min(0) @Max(MAX_CAP) Long capMillicredits) {
    }
}
