using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Identity;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>Registration, sign-in, token refresh, sign-out and password reset.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Accounts");
        // Anonymous by design: these are how a person gets a token in the first place (DESIGN.md section 6).
        group.MapPost("/register", Register).AllowAnonymous().WithName("Register")
            .WithSummary("Opens a fan account. The answer is the same whether or not the address already has one.")
            .Problems(IdentityProblems.InvalidEmail, IdentityProblems.PasswordTooRepetitive);
        group.MapPost("/login", Login).AllowAnonymous().WithName("Login")
            .WithSummary("Signs in with e-mail and password (and a TOTP or recovery code when MFA is on); returns an access and a refresh token.")
            .Problems(IdentityProblems.InvalidEmail, IdentityProblems.InvalidCredentials, IdentityProblems.MfaRequired, IdentityProblems.InvalidSecondFactor,
                IdentityProblems.AccountDeactivated, SignInLocked);
        group.MapPost("/refresh", Refresh).AllowAnonymous().WithName("RefreshSession")
            .WithSummary("Trades a refresh token for new tokens. Each refresh token works once; reusing one ends the session.")
            .Problems(IdentityProblems.InvalidRefreshToken, IdentityProblems.RefreshTokenReused);
        group.MapPost("/password/forgot", ForgotPassword).AllowAnonymous().WithName("ForgotPassword")
            .WithSummary("Sends a single-use reset link to the address if it has an account; the answer never says whether it does.")
            .Problems(IdentityProblems.InvalidEmail, SignInLocked);
        group.MapPost("/password/reset", ResetPassword).AllowAnonymous().WithName("ResetPassword")
            .WithSummary("Sets a new password with a reset token; every session of the account ends.")
            .Problems(IdentityProblems.InvalidResetToken, IdentityProblems.PasswordTooRepetitive);

        group.MapPost("/reauthenticate", Reauthenticate).RequireAuthorization(Policies.Fan).WithName("Reauthenticate")
            .WithSummary("Proves again who you are (password, and the second factor when MFA is on) for a sensitive operation such as a wallet export; returns a proof good for 5 minutes.")
            .Problems(IdentityProblems.SessionEnded, IdentityProblems.WrongPasswordOnReauthentication, IdentityProblems.MfaRequired, IdentityProblems.InvalidSecondFactor,
                SignInLocked);
        group.MapPost("/logout", Logout).RequireAuthorization(Policies.Fan).WithName("Logout")
            .WithSummary("Ends the session the access token belongs to: its refresh tokens stop working.");
        return group;
    }

    /// <summary>The lockout's answer, for the declarations (its status and code do not depend on the arguments).</summary>
    internal static ProblemException SignInLocked() => IdentityProblems.TooManyAttempts(TimeSpan.Zero, "sign-in");

    public sealed record RegisterRequest(
        [property: Required, StringLength(254)] string Email,
        [property: Required, StringLength(Passwords.MaximumLength)] string Password,
        [property: StringLength(100)] string? DisplayName);

    public sealed record AcceptedResponse(string Message);

    public sealed record LoginRequest(
        [property: Required, StringLength(254)] string Email,
        [property: Required, StringLength(Passwords.MaximumLength)] string Password,
        [property: StringLength(16)] string? TotpCode,
        [property: StringLength(32)] string? RecoveryCode);

    public sealed record ReauthenticateRequest(
        [property: Required, StringLength(Passwords.MaximumLength)] string Password,
        [property: StringLength(16)] string? TotpCode,
        [property: StringLength(32)] string? RecoveryCode);

    /// <summary>A re-authentication proof: send it with the operation that asked for it, within <see cref="ExpiresIn"/> seconds.</summary>
    public sealed record ReauthenticationResponse(string Proof, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt);

    public sealed record RefreshRequest([property: Required, StringLength(200)] string RefreshToken);

    public sealed record ForgotPasswordRequest([property: Required, StringLength(254)] string Email);

    public sealed record ResetPasswordRequest(
        [property: Required, StringLength(200)] string Token,
        [property: Required, StringLength(Passwords.MaximumLength)] string NewPassword);

    [SkipValidation] // services, not input
    public sealed record AuthServices(IdentityDbContext Db, Passwords Passwords, Throttle Throttle, SignIn SignIn, [FromKeyedServices(IdentityModule.Id)] SecretProtector Protector, TimeProvider Time, IOptions<IdentityOptions> Options);

    private static async Task<Accepted<AcceptedResponse>> Register(RegisterRequest request, [AsParameters] AuthServices services, CancellationToken cancellationToken)
    {
        var email = Emails.Normalize(request.Email);
        Passwords.EnsureAcceptable(request.Password, email);
        var db = services.Db;
        var now = services.Time.GetUtcNow();
        var existing = await db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        if (existing is not null)
        {
            db.Publish(RegistrationAttemptedForExistingAccount.Topic, new RegistrationAttemptedForExistingAccount(existing.Id, email, now));
        }
        else
        {
            var user = new User
            {
                Id = Guid.NewGuid(),
                Email = email,
                DisplayName = request.DisplayName?.Trim() is { Length: > 0 } name ? name : null,
                Status = UserStatus.Active,
                IsPlatformAdmin = IsBootstrapAdmin(services.Options.Value, email),
                CreatedAt = now,
                UpdatedAt = now,
            };
            user.PasswordHash = services.Passwords.Hash(user, request.Password);
            db.Users.Add(user);
            db.Publish(UserRegistered.Topic, new UserRegistered(user.Id, email, user.DisplayName, now));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (existing is null)
        {
            // Two registrations of one address raced; the other one won, and the answer is the same.
        }

        return TypedResults.Accepted((string?)null, new AcceptedResponse("If this address can be registered, its account is ready: sign in with POST /api/auth/login."));
    }

    private static async Task<Ok<TokenResponse>> Login(LoginRequest request, HttpContext http, [AsParameters] AuthServices services, CancellationToken cancellationToken)
    {
        var email = Emails.Normalize(request.Email);
        var options = services.Options.Value;
        var accountKey = Throttle.ForAccount("login", email);
        var addressKey = Throttle.ForAddress("login", http.Connection.RemoteIpAddress?.ToString());
        if (await services.Throttle.LockedForAsync([accountKey, addressKey], cancellationToken) is { } lockedFor)
        {
            throw IdentityProblems.TooManyAttempts(lockedFor, "sign-in");
        }

        var db = services.Db;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email && u.Status != UserStatus.Erased, cancellationToken);
        if (!services.Passwords.Verify(user, request.Password) || user is null)
        {
            await CountFailureAsync();
            throw IdentityProblems.InvalidCredentials();
        }

        if (user.Status == UserStatus.Deactivated)
        {
            throw IdentityProblems.AccountDeactivated();
        }

        string[] amr = [SignIn.Password];
        if (user.MfaEnabled)
        {
            if (string.IsNullOrWhiteSpace(request.TotpCode) && string.IsNullOrWhiteSpace(request.RecoveryCode))
            {
                throw IdentityProblems.MfaRequired();
            }

            var verified = await SecondFactor.VerifyAsync(db, services.Time, services.Protector, user, request.TotpCode, request.RecoveryCode, cancellationToken);
            if (!verified)
            {
                await CountFailureAsync();
                throw IdentityProblems.InvalidSecondFactor();
            }

            amr = [SignIn.Password, SignIn.Mfa];
        }

        if (!user.IsPlatformAdmin && IsBootstrapAdmin(options, email))
        {
            user.IsPlatformAdmin = true;
        }

        await services.Throttle.ClearAsync(accountKey, cancellationToken);
        return TypedResults.Ok(await services.SignIn.StartSessionAsync(user, amr, http, cancellationToken));

        async Task CountFailureAsync()
        {
            await services.Throttle.CountAsync(accountKey, options.MaxFailuresPerAccount, options.FailureWindow, options.LockoutDuration, cancellationToken);
            await services.Throttle.CountAsync(addressKey, options.MaxFailuresPerAddress, options.FailureWindow, options.LockoutDuration, cancellationToken);

            // Published for unknown addresses too (without an account), so a failure costs the same write either way and
            // reveals nothing; the lockout above bounds how many one account or address can publish.
            db.Publish(SignInFailed.Topic, new SignInFailed(user?.Id, http.Connection.RemoteIpAddress?.ToString(), services.Time.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Step-up for sensitive operations (ADR 0025). The password is checked against the same failure counters as sign-in, so a
    /// stolen access token buys no extra guesses; the proof is bound to the account and the session that asked.
    /// </summary>
    private static async Task<Ok<ReauthenticationResponse>> Reauthenticate(ReauthenticateRequest request, Caller caller, HttpContext http,
        [AsParameters] AuthServices services, SigningKeys keys, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var options = services.Options.Value;
        var userId = caller.RequiredUserId;
        var sessionId = Guid.TryParse(caller.Principal.FindFirst(TokenClaims.Session)?.Value, out var sid) ? sid : (Guid?)null;
        var now = services.Time.GetUtcNow();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.Status == UserStatus.Active, cancellationToken);
        var session = sessionId is null ? null
            : await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now, cancellationToken);
        if (user is null || session is null)
        {
            throw IdentityProblems.SessionEnded();
        }

        var accountKey = Throttle.ForAccount("login", user.Email!);
        var addressKey = Throttle.ForAddress("login", http.Connection.RemoteIpAddress?.ToString());
        if (await services.Throttle.LockedForAsync([accountKey, addressKey], cancellationToken) is { } lockedFor)
        {
            throw IdentityProblems.TooManyAttempts(lockedFor, "sign-in");
        }

        if (!services.Passwords.Verify(user, request.Password))
        {
            await CountFailureAsync();
            throw IdentityProblems.WrongPasswordOnReauthentication();
        }

        string[] amr = [SignIn.Password];
        if (user.MfaEnabled)
        {
            if (string.IsNullOrWhiteSpace(request.TotpCode) && string.IsNullOrWhiteSpace(request.RecoveryCode))
            {
                throw IdentityProblems.MfaRequired();
            }

            if (!await SecondFactor.VerifyAsync(db, services.Time, services.Protector, user, request.TotpCode, request.RecoveryCode, cancellationToken))
            {
                await CountFailureAsync();
                throw IdentityProblems.InvalidSecondFactor();
            }

            amr = [SignIn.Password, SignIn.Mfa];
            await db.SaveChangesAsync(cancellationToken); // the TOTP step is spent
        }

        await services.Throttle.ClearAsync(accountKey, cancellationToken);
        List<System.Security.Claims.Claim> claims =
        [
            new(TokenClaims.Subject, user.Id.ToString()),
            new(TokenClaims.Kind, TokenClaims.UserKind),
            new(TokenClaims.Session, session.Id.ToString()),
            .. amr.Select(method => new System.Security.Claims.Claim(TokenClaims.AuthenticationMethods, method)),
        ];
        var (proof, expiresAt) = await keys.IssueAsync(claims, Reauthentication.MaxAge, Reauthentication.Audience, Reauthentication.TokenType, cancellationToken);
        return TypedResults.Ok(new ReauthenticationResponse(proof, Reauthentication.TokenType, (int)Reauthentication.MaxAge.TotalSeconds, expiresAt));

        async Task CountFailureAsync()
        {
            await services.Throttle.CountAsync(accountKey, options.MaxFailuresPerAccount, options.FailureWindow, options.LockoutDuration, cancellationToken);
            await services.Throttle.CountAsync(addressKey, options.MaxFailuresPerAddress, options.FailureWindow, options.LockoutDuration, cancellationToken);
        }
    }

    private static async Task<Ok<TokenResponse>> Refresh(RefreshRequest request, SignIn signIn, CancellationToken cancellationToken) =>
        TypedResults.Ok(await signIn.RefreshAsync(request.RefreshToken, cancellationToken));

    private static async Task<NoContent> Logout(Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(caller.Principal.FindFirst(TokenClaims.Session)?.Value, out var sessionId))
        {
            var now = time.GetUtcNow();
            await db.Sessions.Where(s => s.Id == sessionId && s.UserId == caller.UserId && s.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, "logout"), cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Accepted<AcceptedResponse>> ForgotPassword(ForgotPasswordRequest request, HttpContext http, [AsParameters] AuthServices services, CancellationToken cancellationToken)
    {
        var email = Emails.Normalize(request.Email);
        var options = services.Options.Value;
        var accountKey = Throttle.ForAccount("reset", email);
        var addressKey = Throttle.ForAddress("reset", http.Connection.RemoteIpAddress?.ToString());
        if (await services.Throttle.LockedForAsync([accountKey, addressKey], cancellationToken) is { } lockedFor)
        {
            throw IdentityProblems.TooManyAttempts(lockedFor, "password reset");
        }

        await services.Throttle.CountAsync(accountKey, options.MaxResetRequestsPerAccount, options.FailureWindow, options.LockoutDuration, cancellationToken);
        await services.Throttle.CountAsync(addressKey, options.MaxResetRequestsPerAddress, options.FailureWindow, options.LockoutDuration, cancellationToken);
        var db = services.Db;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email && u.Status == UserStatus.Active, cancellationToken);
        if (user is not null)
        {
            var now = services.Time.GetUtcNow();
            var token = OpaqueToken.New();
            var expiresAt = now + options.PasswordResetLifetime;
            db.PasswordResets.Add(new PasswordReset { TokenHash = OpaqueToken.Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = expiresAt });
            db.Publish(PasswordResetRequested.Topic, new PasswordResetRequested(user.Id, email, token, expiresAt));
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Accepted((string?)null, new AcceptedResponse("If this address has an account, a reset link is on its way."));
    }

    private static async Task<NoContent> ResetPassword(ResetPasswordRequest request, [AsParameters] AuthServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var now = services.Time.GetUtcNow();
        var hash = OpaqueToken.Hash(request.Token);
        var reset = await db.PasswordResets.SingleOrDefaultAsync(r => r.TokenHash == hash, cancellationToken);
        var user = reset is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Id == reset.UserId && u.Status == UserStatus.Active, cancellationToken);
        if (reset is null || user is null || reset.UsedAt is not null || reset.ExpiresAt <= now)
        {
            throw IdentityProblems.InvalidResetToken();
        }

        Passwords.EnsureAcceptable(request.NewPassword, user.Email);
        reset.UsedAt = now;
        user.PasswordHash = services.Passwords.Hash(user, request.NewPassword);
        user.UpdatedAt = now;
        // Every other outstanding reset link dies with this one.
        await db.PasswordResets.Where(r => r.UserId == user.Id && r.UsedAt == null && r.TokenHash != hash)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.UsedAt, now), cancellationToken);
        db.Publish(PasswordChanged.Topic, new PasswordChanged(user.Id, user.Email!, now));
        await db.SaveChangesAsync(cancellationToken);
        await services.SignIn.RevokeAllAsync(user.Id, "password_reset", except: null, cancellationToken);
        await services.Throttle.ClearAsync(Throttle.ForAccount("login", user.Email!), cancellationToken);
        return TypedResults.NoContent();
    }

    private static bool IsBootstrapAdmin(IdentityOptions options, string email) =>
        options.PlatformAdmins.Any(admin => string.Equals(admin.Trim(), email, StringComparison.OrdinalIgnoreCase));
}
