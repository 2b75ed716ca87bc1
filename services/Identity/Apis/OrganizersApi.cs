using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Identity;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>
/// Organizers (the tenants) and their staff. Every route under an organizer answers 404 to anyone who does not
/// work for it, so a guessed id reveals nothing.
/// </summary>
public static class OrganizersApi
{
    public static RouteGroupBuilder MapOrganizersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/organizers").WithTags("Organizers");
        group.MapPost("/", CreateOrganizer).RequireAuthorization(Policies.Fan).WithName("CreateOrganizer")
            .WithSummary("Creates an organizer; the creator becomes its first admin (refresh the token to act as one).");
        group.MapGet("/", ListOrganizers).RequireAuthorization(Policies.PlatformAdmin).WithName("ListOrganizers")
            .WithSummary("Lists every organizer of the platform, newest first (cursor pagination).")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapGet("/{organizerId:guid}", GetOrganizer).RequireAuthorization(Policies.BoxOffice).WithName("GetOrganizer")
            .WithSummary("Reads an organizer the caller works for.")
            .Problems(IdentityProblems.OrganizerNotFound);
        group.MapPatch("/{organizerId:guid}", UpdateOrganizer).RequireAuthorization(Policies.OrganizerAdmin).WithName("UpdateOrganizer")
            .WithSummary("Renames the organizer or turns required MFA for its staff on or off.")
            .Problems(IdentityProblems.OrganizerNotFound, IdentityProblems.MfaNotEnrolled);

        group.MapGet("/{organizerId:guid}/members", ListMembers).RequireAuthorization(Policies.OrganizerAdmin).WithName("ListMembers")
            .WithSummary("Lists the organizer's staff and their roles.")
            .Problems(IdentityProblems.OrganizerNotFound);
        group.MapPut("/{organizerId:guid}/members/{userId:guid}", ChangeMemberRole).RequireAuthorization(Policies.OrganizerAdmin).WithName("ChangeMemberRole")
            .WithSummary("Changes a staff member's role; the last admin cannot be demoted.")
            .Problems(IdentityProblems.OrganizerNotFound, IdentityProblems.MemberNotFound, IdentityProblems.LastOrganizerAdmin);
        group.MapDelete("/{organizerId:guid}/members/{userId:guid}", RemoveMember).RequireAuthorization(Policies.OrganizerAdmin).WithName("RemoveMember")
            .WithSummary("Removes a staff member; the last admin cannot be removed.")
            .Problems(IdentityProblems.OrganizerNotFound, IdentityProblems.MemberNotFound, IdentityProblems.LastOrganizerAdmin);

        group.MapPost("/{organizerId:guid}/invitations", Invite).RequireAuthorization(Policies.OrganizerAdmin).WithName("InviteStaff")
            .WithSummary("Invites a person by e-mail to a staff role; the code goes out by e-mail and expires.")
            .Problems(IdentityProblems.OrganizerNotFound, IdentityProblems.InvalidEmail);
        group.MapGet("/{organizerId:guid}/invitations", ListInvitations).RequireAuthorization(Policies.OrganizerAdmin).WithName("ListInvitations")
            .WithSummary("Lists the organizer's invitations, newest first (cursor pagination).")
            .Problems(IdentityProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapDelete("/{organizerId:guid}/invitations/{invitationId:guid}", RevokeInvitation).RequireAuthorization(Policies.OrganizerAdmin).WithName("RevokeInvitation")
            .WithSummary("Withdraws an invitation that was not accepted yet.")
            .Problems(IdentityProblems.OrganizerNotFound, IdentityProblems.InvitationNotFound, IdentityProblems.InvitationAccepted);

        app.MapPost("/api/invitations/accept", AcceptInvitation).WithTags("Organizers").RequireAuthorization(Policies.Fan).WithName("AcceptInvitation")
            .WithSummary("Joins an organizer's staff with the code from the invitation e-mail (sent to the caller's own address).")
            .Problems(IdentityProblems.AccountUnavailable, IdentityProblems.InvitationCodeNotValid);
        return group;
    }

    public sealed record CreateOrganizerRequest([property: Required, StringLength(120, MinimumLength = 2)] string Name);

    public sealed record UpdateOrganizerRequest([property: StringLength(120, MinimumLength = 2)] string? Name, bool? RequireMfa);

    public sealed record OrganizerResponse(Guid Id, string Name, bool RequireMfa, DateTimeOffset CreatedAt);

    public sealed record MemberResponse(Guid UserId, string? Email, string? DisplayName, string Role, bool MfaEnabled, DateTimeOffset Since);

    public sealed record ChangeRoleRequest([property: Required, AllowedValues(Roles.OrganizerAdmin, Roles.BoxOffice)] string Role);

    public sealed record InviteRequest(
        [property: Required, StringLength(254)] string Email,
        [property: Required, AllowedValues(Roles.OrganizerAdmin, Roles.BoxOffice)] string Role);

    public sealed record InvitationResponse(Guid Id, string Email, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

    public sealed record AcceptInvitationRequest([property: Required, StringLength(32)] string Code);

    private static async Task<Created<OrganizerResponse>> CreateOrganizer(CreateOrganizerRequest request, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var organizer = new Organizer { Id = Guid.NewGuid(), Name = request.Name.Trim(), CreatedAt = now };
        db.Organizers.Add(organizer);
        db.Memberships.Add(new Membership { OrganizerId = organizer.Id, UserId = caller.RequiredUserId, Role = Roles.OrganizerAdmin, CreatedAt = now });
        db.Publish(MembershipChanged.Topic, new MembershipChanged(organizer.Id, caller.RequiredUserId, Roles.OrganizerAdmin, now));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/organizers/{organizer.Id}", ToResponse(organizer));
    }

    private static async Task<Ok<Page<OrganizerResponse>>> ListOrganizers(string? cursor, int? limit, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(limit);
        var query = db.Organizers.AsNoTracking();
        if (PageCursor.Decode(cursor) is var (at, id))
        {
            query = query.Where(o => o.CreatedAt < at || (o.CreatedAt == at && o.Id.CompareTo(id) < 0));
        }

        var rows = await query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, o => (o.CreatedAt, o.Id), ToResponse));
    }

    private static async Task<Ok<OrganizerResponse>> GetOrganizer(Guid organizerId, Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var organizer = caller.WorksFor(organizerId) ? await db.Organizers.FindAsync([organizerId], cancellationToken) : null;
        return TypedResults.Ok(ToResponse(organizer ?? throw IdentityProblems.OrganizerNotFound()));
    }

    private static async Task<Ok<OrganizerResponse>> UpdateOrganizer(Guid organizerId, UpdateOrganizerRequest request, Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var organizer = await AdministeredAsync(db, caller, organizerId, cancellationToken);
        if (request.RequireMfa == true && !organizer.RequireMfa && !caller.IsPlatformAdmin
            && !await db.Users.AnyAsync(u => u.Id == caller.UserId && u.TotpSecret != null, cancellationToken))
        {
            throw IdentityProblems.MfaNotEnrolled();
        }

        organizer.Name = request.Name?.Trim() ?? organizer.Name;
        organizer.RequireMfa = request.RequireMfa ?? organizer.RequireMfa;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(organizer));
    }

    private static async Task<Ok<List<MemberResponse>>> ListMembers(Guid organizerId, Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        await AdministeredAsync(db, caller, organizerId, cancellationToken);
        var members = await (from m in db.Memberships join u in db.Users on m.UserId equals u.Id
                             where m.OrganizerId == organizerId orderby m.CreatedAt
                             select new MemberResponse(u.Id, u.Email, u.DisplayName, m.Role, u.TotpSecret != null, m.CreatedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(members);
    }

    private static async Task<NoContent> ChangeMemberRole(Guid organizerId, Guid userId, ChangeRoleRequest request, Caller caller, IdentityDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        await AdministeredAsync(db, caller, organizerId, cancellationToken);
        var membership = await db.Memberships.FindAsync([organizerId, userId], cancellationToken)
            ?? throw IdentityProblems.MemberNotFound();
        if (membership.Role == Roles.OrganizerAdmin && request.Role != Roles.OrganizerAdmin && await IsLastAdminAsync(db, membership, cancellationToken))
        {
            throw IdentityProblems.LastOrganizerAdmin();
        }

        membership.Role = request.Role;
        db.Publish(MembershipChanged.Topic, new MembershipChanged(organizerId, userId, request.Role, time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> RemoveMember(Guid organizerId, Guid userId, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await AdministeredAsync(db, caller, organizerId, cancellationToken);
        var membership = await db.Memberships.FindAsync([organizerId, userId], cancellationToken)
            ?? throw IdentityProblems.MemberNotFound();
        if (membership.Role == Roles.OrganizerAdmin && await IsLastAdminAsync(db, membership, cancellationToken))
        {
            throw IdentityProblems.LastOrganizerAdmin();
        }

        db.Memberships.Remove(membership);
        db.Publish(MembershipChanged.Topic, new MembershipChanged(organizerId, userId, null, time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<InvitationResponse>> Invite(Guid organizerId, InviteRequest request, Caller caller, IdentityDbContext db, TimeProvider time, IOptions<IdentityOptions> options, CancellationToken cancellationToken)
    {
        var organizer = await AdministeredAsync(db, caller, organizerId, cancellationToken);
        var now = time.GetUtcNow();
        var code = OpaqueToken.HumanCode();
        var invitation = new Invitation
        {
            Id = Guid.NewGuid(),
            OrganizerId = organizerId,
            Email = Emails.Normalize(request.Email),
            Role = request.Role,
            CodeHash = OpaqueToken.Hash(code),
            InvitedBy = caller.RequiredUserId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.InvitationLifetime,
        };
        db.Invitations.Add(invitation);
        db.Publish(StaffInvited.Topic, new StaffInvited(invitation.Id, organizerId, organizer.Name, invitation.Email, invitation.Role, code, invitation.ExpiresAt));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/organizers/{organizerId}/invitations/{invitation.Id}", ToResponse(invitation, now));
    }

    private static async Task<Ok<Page<InvitationResponse>>> ListInvitations(Guid organizerId, string? cursor, int? limit, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await AdministeredAsync(db, caller, organizerId, cancellationToken);
        var take = PageCursor.Limit(limit);
        var query = db.Invitations.AsNoTracking().Where(i => i.OrganizerId == organizerId);
        if (PageCursor.Decode(cursor) is var (at, id))
        {
            query = query.Where(i => i.CreatedAt < at || (i.CreatedAt == at && i.Id.CompareTo(id) < 0));
        }

        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(take + 1).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(PageCursor.Build(rows, take, i => (i.CreatedAt, i.Id), i => ToResponse(i, now)));
    }

    private static async Task<NoContent> RevokeInvitation(Guid organizerId, Guid invitationId, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await AdministeredAsync(db, caller, organizerId, cancellationToken);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.OrganizerId == organizerId, cancellationToken)
            ?? throw IdentityProblems.InvitationNotFound();
        if (invitation.AcceptedAt is not null)
        {
            throw IdentityProblems.InvitationAccepted();
        }

        invitation.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MeApi.MembershipResponse>> AcceptInvitation(AcceptInvitationRequest request, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await MeApi.CurrentUserAsync(db, caller, cancellationToken);
        var now = time.GetUtcNow();
        var hash = OpaqueToken.Hash(OpaqueToken.NormalizeHumanCode(request.Code));
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.CodeHash == hash, cancellationToken);
        // One answer for every reason (unknown, someone else's, expired, used, withdrawn): codes cannot be probed.
        if (invitation is null || invitation.Email != user.Email || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= now)
        {
            throw IdentityProblems.InvitationCodeNotValid();
        }

        invitation.AcceptedAt = now;
        invitation.AcceptedBy = user.Id;
        var membership = await db.Memberships.FindAsync([invitation.OrganizerId, user.Id], cancellationToken);
        if (membership is null)
        {
            membership = new Membership { OrganizerId = invitation.OrganizerId, UserId = user.Id, Role = invitation.Role, CreatedAt = now };
            db.Memberships.Add(membership);
        }
        else if (invitation.Role == Roles.OrganizerAdmin)
        {
            membership.Role = Roles.OrganizerAdmin; // an invitation never demotes
        }

        db.Publish(MembershipChanged.Topic, new MembershipChanged(invitation.OrganizerId, user.Id, membership.Role, now));
        await db.SaveChangesAsync(cancellationToken);
        var organizer = await db.Organizers.SingleAsync(o => o.Id == invitation.OrganizerId, cancellationToken);
        return TypedResults.Ok(new MeApi.MembershipResponse(organizer.Id, organizer.Name, membership.Role, organizer.RequireMfa));
    }

    /// <summary>The organizer, if the caller administers it; otherwise a 404 that says nothing about whether it exists.</summary>
    internal static async Task<Organizer> AdministeredAsync(IdentityDbContext db, Caller caller, Guid organizerId, CancellationToken cancellationToken)
    {
        var organizer = caller.Administers(organizerId) ? await db.Organizers.FindAsync([organizerId], cancellationToken) : null;
        return organizer ?? throw IdentityProblems.OrganizerNotFound();
    }

    private static Task<bool> IsLastAdminAsync(IdentityDbContext db, Membership membership, CancellationToken cancellationToken) =>
        db.Memberships.AllAsync(m => m.OrganizerId != membership.OrganizerId || m.UserId == membership.UserId || m.Role != Roles.OrganizerAdmin, cancellationToken);

    private static OrganizerResponse ToResponse(Organizer organizer) => new(organizer.Id, organizer.Name, organizer.RequireMfa, organizer.CreatedAt);

    private static InvitationResponse ToResponse(Invitation invitation, DateTimeOffset now) => new(invitation.Id, invitation.Email, invitation.Role,
        invitation.AcceptedAt is not null ? "accepted" : invitation.RevokedAt is not null ? "revoked" : invitation.ExpiresAt <= now ? "expired" : "pending",
        invitation.CreatedAt, invitation.ExpiresAt);
}
