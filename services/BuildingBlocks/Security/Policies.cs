namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// The authorization policies every endpoint chooses from (<c>.RequireAuthorization(Policies.Fan)</c>). A route
/// that states none is refused by the fallback policy and fails the authorization matrix test.
/// </summary>
public static class Policies
{
    /// <summary>Any signed-in person (every account is a fan). Devices are not people and do not qualify.</summary>
    public const string Fan = "Fan";

    /// <summary>A person who administers at least one organizer; which organizer is checked per resource by <see cref="Caller"/>.</summary>
    public const string OrganizerAdmin = "OrganizerAdmin";

    /// <summary>A person on the box office (or an admin) of at least one organizer.</summary>
    public const string BoxOffice = "BoxOffice";

    /// <summary>A scanner device of one venue, signed in with the credentials an organizer admin issued.</summary>
    public const string Scanner = "Scanner";

    /// <summary>An operator of the platform itself.</summary>
    public const string PlatformAdmin = "PlatformAdmin";

    public static IReadOnlyList<string> All { get; } = [Fan, OrganizerAdmin, BoxOffice, Scanner, PlatformAdmin];
}

/// <summary>The roles tokens carry (DESIGN.md section 6).</summary>
public static class Roles
{
    public const string Fan = "fan";
    public const string OrganizerAdmin = "organizer_admin";
    public const string BoxOffice = "box_office";
    public const string Scanner = "scanner";
    public const string PlatformAdmin = "platform_admin";

    /// <summary>The roles a member of an organizer can have.</summary>
    public static IReadOnlyList<string> OrganizerRoles { get; } = [OrganizerAdmin, BoxOffice];
}

/// <summary>Claim names of TicketToken access tokens (JWT registered names where one exists).</summary>
public static class TokenClaims
{
    public const string Subject = "sub";

    /// <summary><c>user</c> or <c>device</c>.</summary>
    public const string Kind = "kind";

    /// <summary>Global roles: <c>fan</c>, <c>platform_admin</c>, <c>scanner</c>.</summary>
    public const string Role = "role";

    /// <summary>One per membership: <c>{organizerId}:{role}</c>.</summary>
    public const string Organizer = "org";

    /// <summary>The venue a scanner device works at.</summary>
    public const string Venue = "venue";

    /// <summary>The sign-in session (refresh-token family) the token belongs to.</summary>
    public const string Session = "sid";

    /// <summary>How the person authenticated: <c>pwd</c>, plus <c>mfa</c> after a second factor.</summary>
    public const string AuthenticationMethods = "amr";

    public const string TokenId = "jti";

    public const string UserKind = "user";
    public const string DeviceKind = "device";
}
