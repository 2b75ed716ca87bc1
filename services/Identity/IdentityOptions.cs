namespace TicketToken.Identity;

/// <summary>Settings of the identity module, section <c>TicketToken:Identity</c>.</summary>
public sealed class IdentityOptions
{
    public const string Section = "TicketToken:Identity";

    /// <summary>
    /// The setting with the base64 of 32 random bytes that protects signing keys and TOTP secrets at rest (AES-256-GCM).
    /// Required in Production; elsewhere a fixed development key is used, with a warning.
    /// </summary>
    public const string SecretKeySetting = Section + ":SecretKey";

    /// <summary>E-mail addresses that are platform admins (the bootstrap of the first operators).</summary>
    public List<string> PlatformAdmins { get; set; } = [];

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a sign-in lasts without a new password, however often it is refreshed.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an unused refresh token stays good.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    public TimeSpan DeviceTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A new signing key is made this often.</summary>
    public TimeSpan SigningKeyRotation { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A scheduled new key is published this long before it signs, so every JWKS cache knows it first.</summary>
    public TimeSpan SigningKeyPublishAhead { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Failed sign-ins for one account (or one unknown e-mail) before it is locked for <see cref="LockoutDuration"/>.</summary>
    public int MaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address before it is locked for <see cref="LockoutDuration"/>.</summary>
    public int MaxFailuresPerAddress { get; set; } = 30;

    /// <summary>The window the failure counters count in.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Password-reset requests per e-mail address per <see cref="FailureWindow"/>.</summary>
    public int MaxResetRequestsPerAccount { get; set; } = 3;

    /// <summary>Password-reset requests per client address per <see cref="FailureWindow"/>.</summary>
    public int MaxResetRequestsPerAddress { get; set; } = 10;

    /// <summary>The PBKDF2 iterations new password hashes get (the framework's default, 100,000, is also the least allowed).</summary>
    public const int SafePasswordHashIterations = 100_000;

    /// <summary>
    /// PBKDF2 iterations for new password hashes. Each hash stores its own count, so raising it later rehashes a password at
    /// its next sign-in. Only the <c>Testing</c> environment may go below <see cref="SafePasswordHashIterations"/>: test suites
    /// sign in thousands of fans, and at 100,000 iterations each sign-in costs about 50 ms of CPU.
    /// </summary>
    public int PasswordHashIterations { get; set; } = SafePasswordHashIterations;
}
