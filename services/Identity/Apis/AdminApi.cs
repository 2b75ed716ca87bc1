using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>What platform operators do with accounts: find them, reactivate them, lift a lockout.</summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/users").WithTags("Platform administration").RequireAuthorization(Policies.PlatformAdmin);
        group.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("Lists accounts, newest first, optionally by e-mail prefix (cursor pagination).")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapPost("/{userId:guid}/reactivate", Reactivate).WithName("ReactivateUser").WithSummary("Reactivates a deactivated account.")
            .Problems(IdentityProblems.UserNotFound, IdentityProblems.AccountErased);
        group.MapPost("/{userId:guid}/unlock", Unlock).WithName("UnlockUser").WithSummary("Lifts a sign-in lockout of the account.")
            .Problems(IdentityProblems.UserNotFound);
        return group;
    }

    public sealed record UserSummary(Guid Id, string? Email, string? DisplayName, string Status, bool MfaEnabled, bool IsPlatformAdmin, DateTimeOffset CreatedAt);

    private static async Task<Ok<Page<UserSummary>>> ListUsers(string? email, string? cursor, int? limit, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(limit);
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(email))
        {
#pragma warning disable CA1308 // stored addresses are lower case
            var prefix = email.Trim().ToLowerInvariant();
#pragma warning restore CA1308
            query = query.Where(u => u.Email != null && u.Email.StartsWith(prefix));
        }

        if (PageCursor.Decode(cursor) is var (at, id))
        {
            query = query.Where(u => u.CreatedAt < at || (u.CreatedAt == at && u.Id.CompareTo(id) < 0));
        }

        var rows = await query.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, u => (u.CreatedAt, u.Id),
            u => new UserSummary(u.Id, u.Email, u.DisplayName, u.Status.ToString(), u.MfaEnabled, u.IsPlatformAdmin, u.CreatedAt)));
    }

    private static async Task<NoContent> Reactivate(Guid userId, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await db.Users.FindAsync([userId], cancellationToken) ?? throw IdentityProblems.UserNotFound();
        if (user.Status == UserStatus.Erased)
        {
            throw IdentityProblems.AccountErased();
        }

        user.Status = UserStatus.Active;
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unlock(Guid userId, IdentityDbContext db, Throttle throttle, CancellationToken cancellationToken)
    {
        var user = await db.Users.FindAsync([userId], cancellationToken) ?? throw IdentityProblems.UserNotFound();
        if (user.Email is not null)
        {
            await throttle.ClearAsync(Throttle.ForAccount("login", user.Email), cancellationToken);
        }

        return TypedResults.NoContent();
    }
}
