using System.Net.Mail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Identity.Data;

namespace TicketToken.Identity.Domain;

/// <summary>
/// Password hashing with the framework's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, per-password salt,
/// <see cref="IdentityOptions.PasswordHashIterations"/> iterations) and the password rule: NIST SP 800-63B's length limits,
/// no composition games.
/// </summary>
public sealed class Passwords
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 128;

    private readonly PasswordHasher<User> _hasher;

    // Verified when the e-mail is unknown, so that answering takes as long as for a known one.
    private readonly string _decoyHash;

    public Passwords(IOptions<IdentityOptions> options)
    {
        _hasher = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = options.Value.PasswordHashIterations }));
        _decoyHash = _hasher.HashPassword(new User(), Guid.NewGuid().ToString());
    }

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    /// <summary>Checks the password; a hash made with older parameters is replaced by the caller's next save.</summary>
    public bool Verify(User? user, string password)
    {
        if (user?.PasswordHash is null)
        {
            _hasher.VerifyHashedPassword(new User(), _decoyHash, password);
            return false;
        }

        var result = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
        }

        return result != PasswordVerificationResult.Failed;
    }

    public static void EnsureAcceptable(string password, string? email)
    {
        if (password.Length is < MinimumLength or > MaximumLength)
        {
            throw IdentityProblems.PasswordLength();
        }

        if (email is not null && password.Contains(email.Split('@')[0], StringComparison.OrdinalIgnoreCase) && email.Split('@')[0].Length >= 4)
        {
            throw IdentityProblems.PasswordContainsEmail();
        }

        if (password.Distinct().Count() < 4)
        {
            throw IdentityProblems.PasswordTooRepetitive();
        }
    }
}

public static class Emails
{
    /// <summary>The form e-mail addresses are stored and compared in: trimmed and lower case.</summary>
    public static string Normalize(string email)
    {
        var trimmed = email.Trim();
        if (trimmed.Length > 254 || !MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed || !trimmed.Contains('.', StringComparison.Ordinal))
        {
            throw IdentityProblems.InvalidEmail();
        }

#pragma warning disable CA1308 // addresses are conventionally lower case; there is no upper-case normal form to prefer
        return trimmed.ToLowerInvariant();
#pragma warning restore CA1308
    }
}

/// <summary>Refuses to start with fewer than <see cref="IdentityOptions.SafePasswordHashIterations"/> PBKDF2 iterations outside the Testing environment.</summary>
public sealed class WeakHashingOnlyInTests(IHostEnvironment environment) : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options) =>
        options.PasswordHashIterations >= IdentityOptions.SafePasswordHashIterations
        || (options.PasswordHashIterations >= 1 && environment.IsEnvironment("Testing"))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"TicketToken:Identity:PasswordHashIterations must be at least {IdentityOptions.SafePasswordHashIterations:N0} "
                + "(fewer only in the Testing environment).");
}
