using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Identity.Data;

namespace TicketToken.Identity.Domain;

/// <summary>
/// What a sign-in or a refresh answers. <c>MfaRequiredBy</c> lists organizers that require a second factor: their
/// staff roles are left out of this token until the person signs in with one.
/// </summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt, string RefreshToken, Guid SessionId, IReadOnlyList<Guid> MfaRequiredBy);

/// <summary>A scanner device's access token (devices have no refresh token: they present their credentials again).</summary>
public sealed record DeviceTokenResponse(string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt, Guid DeviceId, Guid OrganizerId, Guid VenueId);

/// <summary>
/// Sessions and the tokens of a session. A refresh token is good once: using it returns a new one, and
/// presenting a used one again means it was stolen (or the client is broken), so the whole session ends.
/// </summary>
public sealed class SignIn(IdentityDbContext db, SigningKeys keys, TimeProvider time, IOptions<IdentityOptions> options)
{
    public const string Password = "pwd";
    public const string Mfa = "mfa";

    private IdentityOptions Options => options.Value;

    public async Task<TokenResponse> StartSessionAsync(User user, string[] amr, HttpContext http, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = new Session
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            Amr = amr,
            ClientAddress = http.Connection.RemoteIpAddress?.ToString(),
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 300)] : null,
            CreatedAt = now,
            LastUsedAt = now,
            ExpiresAt = now + Options.SessionLifetime,
        };
        db.Sessions.Add(session);
        return await IssueAsync(user, session, now, cancellationToken);
    }

    public async Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = OpaqueToken.Hash(refreshToken);
        // Claim the token in one statement: of two concurrent uses exactly one wins, the other is a reuse.
        var claimed = await db.RefreshTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.UsedAt, now), cancellationToken);
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var session = token is null ? null : await db.Sessions.SingleAsync(s => s.Id == token.SessionId, cancellationToken);
        if (token is null || session is null)
        {
            throw IdentityProblems.InvalidRefreshToken();
        }

        if (claimed == 0)
        {
            if (token.UsedAt is not null)
            {
                session.Revoke(now, "refresh_token_reused");
                await db.SaveChangesAsync(cancellationToken);
                throw IdentityProblems.RefreshTokenReused();
            }

            throw IdentityProblems.InvalidRefreshToken();
        }

        var user = await db.Users.SingleAsync(u => u.Id == session.UserId, cancellationToken);
        if (session.RevokedAt is not null || session.ExpiresAt <= now || user.Status != UserStatus.Active)
        {
            throw IdentityProblems.InvalidRefreshToken();
        }

        session.LastUsedAt = now;
        return await IssueAsync(user, session, now, cancellationToken);
    }

    /// <summary>Ends every session of the person (password change or reset, deactivation, erasure), or all but one.</summary>
    public Task<int> RevokeAllAsync(Guid userId, string reason, Guid? except, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.Sessions
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.Id != except)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
    }

    public async Task<DeviceTokenResponse> IssueDeviceTokenAsync(Device device, CancellationToken cancellationToken)
    {
        Claim[] claims =
        [
            new(TokenClaims.Subject, device.Id.ToString()),
            new(TokenClaims.Kind, TokenClaims.DeviceKind),
            new(TokenClaims.Role, Roles.Scanner),
            new(TokenClaims.Organizer, Caller.Membership(device.OrganizerId, Roles.Scanner)),
            new(TokenClaims.Venue, device.VenueId.ToString()),
        ];
        var (token, expiresAt) = await keys.IssueAsync(claims, Options.DeviceTokenLifetime, cancellationToken);
        return new DeviceTokenResponse(token, "Bearer", (int)Options.DeviceTokenLifetime.TotalSeconds, expiresAt, device.Id, device.OrganizerId, device.VenueId);
    }

    private async Task<TokenResponse> IssueAsync(User user, Session session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var refresh = OpaqueToken.New();
        db.RefreshTokens.Add(new RefreshToken
        {
            TokenHash = OpaqueToken.Hash(refresh),
            SessionId = session.Id,
            IssuedAt = now,
            ExpiresAt = Min(now + Options.RefreshTokenLifetime, session.ExpiresAt),
        });

        var memberships = await (from m in db.Memberships
                                 join o in db.Organizers on m.OrganizerId equals o.Id
                                 where m.UserId == user.Id
                                 select new { m.OrganizerId, m.Role, o.RequireMfa }).ToListAsync(cancellationToken);
        var withMfa = session.Amr.Contains(Mfa);
        var claims = new List<Claim>
        {
            new(TokenClaims.Subject, user.Id.ToString()),
            new(TokenClaims.Kind, TokenClaims.UserKind),
            new(TokenClaims.Session, session.Id.ToString()),
            new(TokenClaims.Role, Roles.Fan),
        };
        if (user.IsPlatformAdmin)
        {
            claims.Add(new Claim(TokenClaims.Role, Roles.PlatformAdmin));
        }

        claims.AddRange(session.Amr.Select(method => new Claim(TokenClaims.AuthenticationMethods, method)));
        claims.AddRange(memberships.Where(m => withMfa || !m.RequireMfa).Select(m => new Claim(TokenClaims.Organizer, Caller.Membership(m.OrganizerId, m.Role))));
        var withheld = memberships.Where(m => !withMfa && m.RequireMfa).Select(m => m.OrganizerId).ToList();

        await db.SaveChangesAsync(cancellationToken);
        var (token, expiresAt) = await keys.IssueAsync(claims, Options.AccessTokenLifetime, cancellationToken);
        return new TokenResponse(token, "Bearer", (int)Options.AccessTokenLifetime.TotalSeconds, expiresAt, refresh, session.Id, withheld);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
