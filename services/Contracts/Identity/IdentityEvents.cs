namespace TicketToken.Contracts.Identity;

/// <summary>A person opened an account (topic <see cref="Topic"/>).</summary>
public sealed record UserRegistered(Guid UserId, string Email, string? DisplayName, DateTimeOffset RegisteredAt)
{
    public const string Topic = "identity.user-registered";
}

/// <summary>
/// Somebody tried to register an address that already has an account; the owner is told, the requester is not
/// (topic <see cref="Topic"/>).
/// </summary>
public sealed record RegistrationAttemptedForExistingAccount(Guid UserId, string Email, DateTimeOffset AttemptedAt)
{
    public const string Topic = "identity.registration-attempted";
}

/// <summary>
/// A password reset was requested; notifications e-mails <see cref="Token"/> to <see cref="Email"/>. The token is
/// a bearer secret: it travels only in this event, is stored only as a hash, and is never logged (topic <see cref="Topic"/>).
/// </summary>
public sealed record PasswordResetRequested(Guid UserId, string Email, string Token, DateTimeOffset ExpiresAt)
{
    public const string Topic = "identity.password-reset-requested";
}

/// <summary>The password was changed or reset; every session was ended (topic <see cref="Topic"/>).</summary>
public sealed record PasswordChanged(Guid UserId, string Email, DateTimeOffset ChangedAt)
{
    public const string Topic = "identity.password-changed";
}

/// <summary>An organizer invited somebody to its staff; notifications e-mails the <see cref="Code"/> (topic <see cref="Topic"/>).</summary>
public sealed record StaffInvited(Guid InvitationId, Guid OrganizerId, string OrganizerName, string Email, string Role, string Code, DateTimeOffset ExpiresAt)
{
    public const string Topic = "identity.staff-invited";
}

/// <summary>A person's account was deactivated (topic <see cref="Topic"/>).</summary>
public sealed record UserDeactivated(Guid UserId, DateTimeOffset DeactivatedAt)
{
    public const string Topic = "identity.user-deactivated";
}

/// <summary>
/// A person's personal data was erased. Modules anonymise what they hold about <see cref="UserId"/> and keep
/// only what the law requires (order amounts, invoices) under the bare id (topic <see cref="Topic"/>).
/// </summary>
public sealed record UserErased(Guid UserId, DateTimeOffset ErasedAt)
{
    public const string Topic = "identity.user-erased";
}

/// <summary>
/// A scanner device was registered, renamed, moved to another venue, given other zones, or deactivated (topic
/// <see cref="Topic"/>): everything the scanning module needs to decide whether a device may scan at a gate. Published in
/// the transaction that made the change; <see cref="Version"/> grows with every change, so consumers keep the highest.
/// </summary>
/// <remarks><c>Zones</c> are the entry zones (<c>AccessZones</c> in Contracts.Catalog: GA, VIP, BACKSTAGE) whose gates the device may scan at;
/// <c>Active</c> is false once the device was deactivated (revoked), and it never becomes active again.</remarks>
public sealed record DeviceChanged(Guid DeviceId, Guid OrganizerId, Guid VenueId, string Name, IReadOnlyList<string> Zones, bool Active, long Version,
    DateTimeOffset ChangedAt)
{
    public const string Topic = "identity.device-changed";
}

/// <summary>
/// A person joined an organizer's staff, got another role there, or left it (<see cref="Role"/> null) (topic
/// <see cref="Topic"/>): how the notifications module knows whom to tell about an organizer's affairs (a webhook endpoint it
/// had to disable, an entry conflict) without asking identity. Consumers keep the newest <see cref="ChangedAt"/> per pair.
/// </summary>
public sealed record MembershipChanged(Guid OrganizerId, Guid UserId, string? Role, DateTimeOffset ChangedAt)
{
    public const string Topic = "identity.membership-changed";
}

/// <summary>
/// A person changed their profile (topic <see cref="Topic"/>): the name and address others greet and reach them by. Consumers keep
/// the newest <see cref="ChangedAt"/>.
/// </summary>
public sealed record ProfileChanged(Guid UserId, string Email, string? DisplayName, DateTimeOffset ChangedAt)
{
    public const string Topic = "identity.profile-changed";
}

/// <summary>
/// A sign-in failed: a wrong password or second factor (topic <see cref="Topic"/>). <see cref="UserId"/> is null when the
/// e-mail address has no account, so that a failure costs the same whether or not the account exists; <see cref="Address"/>
/// is the client address the attempt came from. The queue counts these as a risk signal (credential stuffing shows as many
/// failures on one account or from one address).
/// </summary>
public sealed record SignInFailed(Guid? UserId, string? Address, DateTimeOffset FailedAt)
{
    public const string Topic = "identity.sign-in-failed";
}
