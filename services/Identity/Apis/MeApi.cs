using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Validation;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Identity;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>The signed-in person's own account: profile, password, sessions, second factor, deactivation and erasure.</summary>
public static class MeApi
{
    private const string TotpIssuer = "TicketToken";

    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/me").WithTags("Accounts").RequireAuthorization(Policies.Fan).Problems(IdentityProblems.AccountUnavailable);
        group.MapGet("/", GetProfile).WithName("GetMyProfile").WithSummary("Reads the signed-in person's profile, staff memberships and MFA state.");
        group.MapPatch("/", UpdateProfile).WithName("UpdateMyProfile").WithSummary("Changes the display name.");
        group.MapPost("/password", ChangePassword).WithName("ChangeMyPassword")
            .WithSummary("Changes the password (the current one is required); every other session ends.")
            .Problems(IdentityProblems.WrongPassword, IdentityProblems.PasswordTooRepetitive);
        group.MapGet("/sessions", ListSessions).WithName("ListMySessions").WithSummary("Lists the sessions that are signed in.");
        group.MapDelete("/sessions/{sessionId:guid}", RevokeSession).WithName("RevokeMySession").WithSummary("Signs one session out.")
            .Problems(IdentityProblems.SessionNotFound);
        group.MapPost("/deactivate", Deactivate).WithName("DeactivateMyAccount")
            .WithSummary("Deactivates the account (password required): every session ends and sign-in is refused until support reactivates it.")
            .Problems(IdentityProblems.WrongPassword);
        group.MapPost("/erase", Erase).WithName("EraseMyAccount")
            .WithSummary("Erases the person's personal data for good (password required); orders keep only what the law requires.")
            .Problems(IdentityProblems.WrongPassword, () => IdentityProblems.SoleAdminOf([]));

        group.MapPost("/mfa/totp", StartTotpEnrolment).WithName("StartTotpEnrolment")
            .WithSummary("Starts TOTP enrolment: returns the secret and the otpauth:// URI for an authenticator app.")
            .Problems(IdentityProblems.MfaAlreadyEnabled);
        group.MapGet("/mfa/totp/qr", TotpQrCode).WithName("GetTotpEnrolmentQrCode")
            .WithSummary("The enrolment URI as a QR image to scan with an authenticator app (format=png or svg).")
            .Problems(IdentityProblems.NoEnrolmentPending, QrImages.UnsupportedFormat);
        group.MapPost("/mfa/totp/verify", ConfirmTotpEnrolment).WithName("ConfirmTotpEnrolment")
            .WithSummary("Turns MFA on with a first code from the app; returns ten single-use recovery codes, shown only now.")
            .Problems(IdentityProblems.NoEnrolmentPending, IdentityProblems.EnrolmentCodeMismatch);
        group.MapPost("/mfa/recovery-codes", RegenerateRecoveryCodes).WithName("RegenerateRecoveryCodes")
            .WithSummary("Replaces the recovery codes (a current TOTP code is required).")
            .Problems(IdentityProblems.MfaNotEnabled, IdentityProblems.WrongMfaCode);
        group.MapPost("/mfa/disable", DisableMfa).WithName("DisableMfa").WithSummary("Turns MFA off (password and a TOTP or recovery code required).")
            .Problems(IdentityProblems.WrongPassword, IdentityProblems.MfaAlreadyOff, IdentityProblems.WrongMfaCode, () => IdentityProblems.MfaRequiredByOrganizer([]));
        return group;
    }

    public sealed record MembershipResponse(Guid OrganizerId, string OrganizerName, string Role, bool OrganizerRequiresMfa);

    public sealed record ProfileResponse(Guid Id, string Email, string? DisplayName, bool MfaEnabled, bool IsPlatformAdmin, DateTimeOffset CreatedAt, IReadOnlyList<MembershipResponse> Memberships);

    public sealed record UpdateProfileRequest([property: StringLength(100)] string? DisplayName);

    public sealed record ChangePasswordRequest(
        [property: Required, StringLength(Passwords.MaximumLength)] string CurrentPassword,
        [property: Required, StringLength(Passwords.MaximumLength)] string NewPassword);

    public sealed record SessionResponse(Guid Id, bool Current, IReadOnlyList<string> AuthenticationMethods, string? ClientAddress, string? UserAgent, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset ExpiresAt);

    public sealed record PasswordConfirmation([property: Required, StringLength(Passwords.MaximumLength)] string Password);

    public sealed record TotpEnrolmentResponse(string Secret, string OtpauthUri, string QrCodeUrl);

    public sealed record TotpCodeRequest([property: Required, StringLength(16)] string Code);

    public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

    public sealed record DisableMfaRequest(
        [property: Required, StringLength(Passwords.MaximumLength)] string Password,
        [property: StringLength(16)] string? TotpCode,
        [property: StringLength(32)] string? RecoveryCode);

    [SkipValidation] // services, not input
    public sealed record MeServices(IdentityDbContext Db, Passwords Passwords, SignIn SignIn, [FromKeyedServices(IdentityModule.Id)] SecretProtector Protector, TimeProvider Time);

    private static async Task<Ok<ProfileResponse>> GetProfile(Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        return TypedResults.Ok(await ProfileAsync(db, user, cancellationToken));
    }

    private static async Task<Ok<ProfileResponse>> UpdateProfile(UpdateProfileRequest request, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        user.DisplayName = request.DisplayName?.Trim() is { Length: > 0 } name ? name : null;
        user.UpdatedAt = time.GetUtcNow();
        db.Publish(ProfileChanged.Topic, new ProfileChanged(user.Id, user.Email!, user.DisplayName, user.UpdatedAt));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ProfileAsync(db, user, cancellationToken));
    }

    private static async Task<NoContent> ChangePassword(ChangePasswordRequest request, Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var user = await CurrentUserAsync(services.Db, caller, cancellationToken);
        if (!services.Passwords.Verify(user, request.CurrentPassword))
        {
            throw IdentityProblems.WrongPassword();
        }

        Passwords.EnsureAcceptable(request.NewPassword, user.Email);
        var now = services.Time.GetUtcNow();
        user.PasswordHash = services.Passwords.Hash(user, request.NewPassword);
        user.UpdatedAt = now;
        services.Db.Publish(PasswordChanged.Topic, new PasswordChanged(user.Id, user.Email!, now));
        await services.Db.SaveChangesAsync(cancellationToken);
        await services.SignIn.RevokeAllAsync(user.Id, "password_changed", except: SessionOf(caller), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<SessionResponse>>> ListSessions(Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = SessionOf(caller);
        var sessions = await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == caller.UserId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastUsedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(sessions.Select(s => new SessionResponse(s.Id, s.Id == current, s.Amr, s.ClientAddress, s.UserAgent, s.CreatedAt, s.LastUsedAt, s.ExpiresAt)).ToList());
    }

    private static async Task<NoContent> RevokeSession(Guid sessionId, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var revoked = await db.Sessions.Where(s => s.Id == sessionId && s.UserId == caller.UserId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, "signed_out_by_owner"), cancellationToken);
        return revoked == 1 ? TypedResults.NoContent() : throw IdentityProblems.SessionNotFound();
    }

    private static async Task<NoContent> Deactivate(PasswordConfirmation request, Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var user = await CurrentUserAsync(services.Db, caller, cancellationToken);
        if (!services.Passwords.Verify(user, request.Password))
        {
            throw IdentityProblems.WrongPassword();
        }

        var now = services.Time.GetUtcNow();
        user.Status = UserStatus.Deactivated;
        user.UpdatedAt = now;
        services.Db.Publish(UserDeactivated.Topic, new UserDeactivated(user.Id, now));
        await services.Db.SaveChangesAsync(cancellationToken);
        await services.SignIn.RevokeAllAsync(user.Id, "deactivated", except: null, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Erase(PasswordConfirmation request, Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        if (!services.Passwords.Verify(user, request.Password))
        {
            throw IdentityProblems.WrongPassword();
        }

        var soleAdminOf = await db.Memberships
            .Where(m => m.UserId == user.Id && m.Role == Roles.OrganizerAdmin)
            .Where(m => !db.Memberships.Any(other => other.OrganizerId == m.OrganizerId && other.UserId != user.Id && other.Role == Roles.OrganizerAdmin))
            .Select(m => m.OrganizerId)
            .ToListAsync(cancellationToken);
        if (soleAdminOf.Count > 0)
        {
            throw IdentityProblems.SoleAdminOf(soleAdminOf);
        }

        var now = services.Time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.Email = null;
        user.DisplayName = null;
        user.PasswordHash = null;
        user.TotpSecret = null;
        user.PendingTotpSecret = null;
        user.IsPlatformAdmin = false;
        user.Status = UserStatus.Erased;
        user.ErasedAt = now;
        user.UpdatedAt = now;
        await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Memberships.Where(m => m.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.PasswordResets.Where(r => r.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        // Sessions hold addresses and user agents: personal data too.
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        db.Publish(UserErased.Topic, new UserErased(user.Id, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<TotpEnrolmentResponse>> StartTotpEnrolment(Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var user = await CurrentUserAsync(services.Db, caller, cancellationToken);
        if (user.MfaEnabled)
        {
            throw IdentityProblems.MfaAlreadyEnabled();
        }

        var secret = Totp.NewSecret();
        user.PendingTotpSecret = services.Protector.Protect(secret);
        user.UpdatedAt = services.Time.GetUtcNow();
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new TotpEnrolmentResponse(Base32.Encode(secret), Totp.EnrolmentUri(TotpIssuer, user.Email!, secret), "/api/me/mfa/totp/qr"));
    }

    private static async Task<FileContentHttpResult> TotpQrCode(Caller caller, IdentityDbContext db, [FromKeyedServices(IdentityModule.Id)] SecretProtector protector, string? format, CancellationToken cancellationToken)
    {
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        if (user.PendingTotpSecret is null)
        {
            throw IdentityProblems.NoEnrolmentPending();
        }

        return QrImages.Render(Totp.EnrolmentUri(TotpIssuer, user.Email!, protector.Unprotect(user.PendingTotpSecret)), QrImages.IsSvg(format));
    }

    private static async Task<Ok<RecoveryCodesResponse>> ConfirmTotpEnrolment(TotpCodeRequest request, Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        if (user.PendingTotpSecret is null)
        {
            throw IdentityProblems.NoEnrolmentPending();
        }

        var step = Totp.Verify(services.Protector.Unprotect(user.PendingTotpSecret), request.Code, services.Time.GetUtcNow(), lastUsedStep: null);
        if (step is null)
        {
            throw IdentityProblems.EnrolmentCodeMismatch();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.TotpSecret = user.PendingTotpSecret;
        user.PendingTotpSecret = null;
        user.TotpLastStep = step;
        user.UpdatedAt = services.Time.GetUtcNow();
        var codes = await SecondFactor.NewRecoveryCodesAsync(db, user.Id, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static async Task<Ok<RecoveryCodesResponse>> RegenerateRecoveryCodes(TotpCodeRequest request, Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        if (!user.MfaEnabled)
        {
            throw IdentityProblems.MfaNotEnabled();
        }

        if (!await SecondFactor.VerifyAsync(db, services.Time, services.Protector, user, request.Code, null, cancellationToken))
        {
            throw IdentityProblems.WrongMfaCode();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var codes = await SecondFactor.NewRecoveryCodesAsync(db, user.Id, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static async Task<NoContent> DisableMfa(DisableMfaRequest request, Caller caller, [AsParameters] MeServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var user = await CurrentUserAsync(db, caller, cancellationToken);
        if (!services.Passwords.Verify(user, request.Password))
        {
            throw IdentityProblems.WrongPassword();
        }

        if (!user.MfaEnabled)
        {
            throw IdentityProblems.MfaAlreadyOff();
        }

        if (!await SecondFactor.VerifyAsync(db, services.Time, services.Protector, user, request.TotpCode, request.RecoveryCode, cancellationToken))
        {
            throw IdentityProblems.WrongMfaCode();
        }

        var requiredBy = await (from m in db.Memberships join o in db.Organizers on m.OrganizerId equals o.Id
                                where m.UserId == user.Id && o.RequireMfa select o.Name).ToListAsync(cancellationToken);
        if (requiredBy.Count > 0)
        {
            throw IdentityProblems.MfaRequiredByOrganizer(requiredBy);
        }

        user.TotpSecret = null;
        user.TotpLastStep = null;
        user.UpdatedAt = services.Time.GetUtcNow();
        await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<User> CurrentUserAsync(IdentityDbContext db, Caller caller, CancellationToken cancellationToken) =>
        await db.Users.SingleOrDefaultAsync(u => u.Id == caller.UserId && u.Status == UserStatus.Active, cancellationToken)
        ?? throw IdentityProblems.AccountUnavailable();

    private static async Task<ProfileResponse> ProfileAsync(IdentityDbContext db, User user, CancellationToken cancellationToken)
    {
        var memberships = await (from m in db.Memberships join o in db.Organizers on m.OrganizerId equals o.Id
                                 where m.UserId == user.Id orderby o.Name
                                 select new MembershipResponse(o.Id, o.Name, m.Role, o.RequireMfa)).ToListAsync(cancellationToken);
        return new ProfileResponse(user.Id, user.Email!, user.DisplayName, user.MfaEnabled, user.IsPlatformAdmin, user.CreatedAt, memberships);
    }

    private static Guid? SessionOf(Caller caller) =>
        Guid.TryParse(caller.Principal.FindFirst(TokenClaims.Session)?.Value, out var id) ? id : null;
}
