namespace TicketToken.BuildingBlocks.Security;

/// <summary>How every module validates access tokens, section <c>TicketToken:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "TicketToken:Auth";

    /// <summary>The <c>iss</c> the identity module writes and every module requires.</summary>
    public string Issuer { get; set; } = "tickettoken";

    /// <summary>The <c>aud</c> of access tokens for the TicketToken API.</summary>
    public string Audience { get; set; } = "tickettoken-api";

    /// <summary>The app-id that serves <c>/.well-known/jwks.json</c>; reached through service invocation in both runtimes.</summary>
    public string IdentityAppId { get; set; } = "identity";

    /// <summary>Fetch the key set from this URL instead of invoking <see cref="IdentityAppId"/> (e.g. an embedded host without identity).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>How often the key set is fetched again even when every token's key is known.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two fetches caused by tokens with an unknown key id (a rotation, or garbage).</summary>
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Tolerated clock difference between the issuer and this host.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
