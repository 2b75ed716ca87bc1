using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Identity.Data;

namespace TicketToken.Identity.Domain;

/// <summary>Checks a TOTP code (once per time step) or consumes a recovery code (once ever).</summary>
public static class SecondFactor
{
    public const int RecoveryCodeCount = 10;

    public static async Task<bool> VerifyAsync(IdentityDbContext db, TimeProvider time, SecretProtector protector, User user,
        string? totpCode, string? recoveryCode, CancellationToken cancellationToken)
    {
        if (user.TotpSecret is null)
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(totpCode))
        {
            var step = Totp.Verify(protector.Unprotect(user.TotpSecret), totpCode, time.GetUtcNow(), user.TotpLastStep);
            if (step is null)
            {
                return false;
            }

            user.TotpLastStep = step;
            return true;
        }

        if (string.IsNullOrWhiteSpace(recoveryCode))
        {
            return false;
        }

        var hash = OpaqueToken.Hash(OpaqueToken.NormalizeHumanCode(recoveryCode));
        var now = time.GetUtcNow();
        var consumed = await db.RecoveryCodes
            .Where(c => c.UserId == user.Id && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.UsedAt, now), cancellationToken);
        return consumed == 1;
    }

    /// <summary>Replaces the person's recovery codes with fresh ones and returns them (the only time they are shown).</summary>
    public static async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(IdentityDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => OpaqueToken.HumanCode()).ToList();
        db.RecoveryCodes.AddRange(codes.Select(code => new RecoveryCode { UserId = userId, CodeHash = OpaqueToken.Hash(code) }));
        return codes;
    }
}
