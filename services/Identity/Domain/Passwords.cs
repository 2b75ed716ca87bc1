using System.Net.Mail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Identity.Data;

namespace TicketToken.Identity.Domain;

/// <summary>
/// Password hashing with the framework's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, 100,000
/// iterations, per-password salt) and the password rule: NIST SP 800-63B's length limits, no composition games.
/// </summary>
public sealed class Passwords
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 128;

    private static readonly PasswordHasher<User> Hasher = new();

    // Verified when the e-mail is unknown, so that answering takes as long as for a known one.
    private static readonly string DecoyHash = Hasher.HashPassword(new User(), Guid.NewGuid().ToString());

    public string Hash(User user, string password) => Hasher.HashPassword(user, password);

    /// <summary>Checks the password; a hash made with older parameters is replaced by the caller's next save.</summary>
    public bool Verify(User? user, string password)
    {
        if (user?.PasswordHash is null)
        {
            Hasher.VerifyHashedPassword(new User(), DecoyHash, password);
            return false;
        }

        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user, password);
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
