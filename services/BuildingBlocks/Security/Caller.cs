using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// Who is calling, read from the validated access token: the tenant context every module's queries use.
/// Resources of an organizer are filtered with <see cref="AdministeredOrganizers"/> or
/// <see cref="StaffOrganizers"/>, and a resource outside them is answered 404, never 403 or data.
/// </summary>
[Microsoft.Extensions.Validation.SkipValidation] // bound from the validated token, not from input
public sealed class Caller
{
    private readonly Dictionary<Guid, string> _memberships;

    private Caller(ClaimsPrincipal principal)
    {
        Principal = principal;
        IsAuthenticated = principal.Identity?.IsAuthenticated == true;
        var subject = principal.FindFirstValue(TokenClaims.Subject);
        var id = Guid.TryParse(subject, out var parsed) ? parsed : (Guid?)null;
        IsDevice = principal.FindFirstValue(TokenClaims.Kind) == TokenClaims.DeviceKind;
        UserId = IsDevice ? null : id;
        DeviceId = IsDevice ? id : null;
        VenueId = Guid.TryParse(principal.FindFirstValue(TokenClaims.Venue), out var venue) ? venue : null;
        IsPlatformAdmin = !IsDevice && principal.HasClaim(TokenClaims.Role, Roles.PlatformAdmin);
        _memberships = [];
        foreach (var claim in principal.FindAll(TokenClaims.Organizer))
        {
            // A device belongs to its organizer as a scanner; people hold organizer roles.
            if (TryParseMembership(claim.Value, out var organizerId, out var role) && (role == Roles.Scanner) == IsDevice)
            {
                _memberships[organizerId] = role;
            }
        }

        AdministeredOrganizers = [.. _memberships.Where(m => m.Value == Roles.OrganizerAdmin).Select(m => m.Key)];
        StaffOrganizers = [.. _memberships.Keys];
    }

    public static Caller Anonymous { get; } = new(new ClaimsPrincipal(new ClaimsIdentity()));

    public ClaimsPrincipal Principal { get; }

    public bool IsAuthenticated { get; }

    /// <summary>The person's account id; null for devices and anonymous callers.</summary>
    public Guid? UserId { get; }

    public bool IsDevice { get; }

    public Guid? DeviceId { get; }

    /// <summary>The venue of a scanner device.</summary>
    public Guid? VenueId { get; }

    /// <summary>The organizer a scanner device was issued by.</summary>
    public Guid? DeviceOrganizerId => IsDevice && StaffOrganizers.Count == 1 ? StaffOrganizers[0] : null;

    public bool IsPlatformAdmin { get; }

    /// <summary>The organizers this person administers (for a device: none).</summary>
    public IReadOnlyList<Guid> AdministeredOrganizers { get; }

    /// <summary>The organizers this person works for in any role, or the device's organizer.</summary>
    public IReadOnlyList<Guid> StaffOrganizers { get; }

    /// <summary>The signed-in person's id, for endpoints whose policy guarantees one.</summary>
    public Guid RequiredUserId => UserId ?? throw new InvalidOperationException("This endpoint's policy must require a signed-in person.");

    public string? RoleIn(Guid organizerId) => _memberships.GetValueOrDefault(organizerId);

    public bool Administers(Guid organizerId) => IsPlatformAdmin || _memberships.GetValueOrDefault(organizerId) == Roles.OrganizerAdmin;

    /// <summary>Admins and box office of the organizer (and platform admins).</summary>
    public bool WorksFor(Guid organizerId) => IsPlatformAdmin || _memberships.ContainsKey(organizerId);

    public static Caller From(ClaimsPrincipal principal) => new(principal);

    public static string Membership(Guid organizerId, string role) => $"{organizerId:D}:{role}";

    public static bool TryParseMembership(string value, out Guid organizerId, out string role)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        role = colon > 0 ? value[(colon + 1)..] : "";
        return Guid.TryParse(colon > 0 ? value[..colon] : "", out organizerId) && (Roles.OrganizerRoles.Contains(role) || role == Roles.Scanner);
    }

    /// <summary>Binds <see cref="Caller"/> as a handler parameter (minimal APIs call this).</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(From(context.User));
}
