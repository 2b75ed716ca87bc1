using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// A re-authentication proof (ADR 0025): a short-lived JWT identity signs with its access-token keys after the person typed
/// their password (and second factor) again. It differs from an access token in type and audience, so neither is ever
/// accepted as the other: a stolen access token alone cannot pass a step-up check, and a proof opens no API.
/// </summary>
public static class Reauthentication
{
    /// <summary>The <c>typ</c> header of a proof.</summary>
    public const string TokenType = "reauth+jwt";

    /// <summary>The <c>aud</c> of a proof (access tokens carry <see cref="AuthOptions.Audience"/>).</summary>
    public const string Audience = "tickettoken-reauthentication";

    /// <summary>How long a proof is good for, counted from the moment the person re-authenticated.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
}

/// <summary>What a step-up check found; anything but <see cref="Fresh"/> refuses the operation.</summary>
public enum ReauthenticationOutcome
{
    Fresh,

    /// <summary>No proof was sent.</summary>
    Missing,

    /// <summary>Not a proof identity signed (garbage, an access token, a forged or unknown key).</summary>
    Invalid,

    /// <summary>Signed, but older than <see cref="Reauthentication.MaxAge"/>.</summary>
    Expired,

    /// <summary>A valid proof of another account, or of another session of the same account.</summary>
    Mismatch,
}

/// <summary>
/// Checks a re-authentication proof against identity's published keys (the same key cache as access tokens) and the host's
/// <see cref="TimeProvider"/>, and that it belongs to the caller's account and session.
/// </summary>
public sealed class ReauthenticationProofs(JwksKeyCache keys, AuthOptions options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<ReauthenticationOutcome> CheckAsync(string? proof, Caller caller, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(proof))
        {
            return ReauthenticationOutcome.Missing;
        }

        string? kid;
        try
        {
            kid = new JsonWebToken(proof.Trim()).Kid;
        }
        catch (ArgumentException)
        {
            return ReauthenticationOutcome.Invalid;
        }

        try
        {
            await keys.EnsureAsync(kid, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Identity unreachable: the cached keys decide, as for access tokens.
        }

        var result = await _handler.ValidateTokenAsync(proof.Trim(), new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = Reauthentication.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = [Reauthentication.TokenType],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            // Freshness is judged below with the host's clock, which tests can move.
            ValidateLifetime = false,
            IssuerSigningKeys = keys.Keys,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            return ReauthenticationOutcome.Invalid;
        }

        var now = time.GetUtcNow();
        var issuedAt = new DateTimeOffset(token.IssuedAt, TimeSpan.Zero);
        var expiresAt = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        if (token.IssuedAt == DateTime.MinValue || now > expiresAt + options.ClockSkew || now - issuedAt > Reauthentication.MaxAge + options.ClockSkew
            || issuedAt > now + options.ClockSkew)
        {
            return ReauthenticationOutcome.Expired;
        }

        var subject = token.TryGetPayloadValue<string>(TokenClaims.Subject, out var sub) ? sub : null;
        var session = token.TryGetPayloadValue<string>(TokenClaims.Session, out var sid) ? sid : null;
        var callerSession = caller.Principal.FindFirst(TokenClaims.Session)?.Value;
        return caller.UserId is { } userId && subject == userId.ToString() && session is not null && session == callerSession
            ? ReauthenticationOutcome.Fresh
            : ReauthenticationOutcome.Mismatch;
    }
}
