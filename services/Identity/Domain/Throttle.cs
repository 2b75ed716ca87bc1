using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TicketToken.Identity.Data;

namespace TicketToken.Identity.Domain;

/// <summary>
/// Failure counters in PostgreSQL (so every replica and every restart sees them): a key that fails
/// <c>limit</c> times within the window is locked for the lockout duration. Keys for e-mail addresses are
/// hashes, and unknown addresses are counted like known ones, so a lockout reveals nothing.
/// </summary>
public sealed class Throttle(IdentityDbContext db, TimeProvider time)
{
    public static string ForAccount(string purpose, string normalizedEmail) =>
        $"{purpose}:account:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedEmail)))}";

    public static string ForAddress(string purpose, string? address) => $"{purpose}:address:{address ?? "unknown"}";

    /// <summary>How long the longest lock among <paramref name="keys"/> still lasts, or null when none is locked.</summary>
    public async Task<TimeSpan?> LockedForAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = await db.Database
            .SqlQuery<DateTimeOffset?>($"select max(locked_until) as \"Value\" from identity.throttles where key = any({keys.ToArray()}) and locked_until > {now}")
            .SingleAsync(cancellationToken);
        return until is { } lockedUntil ? lockedUntil - now : null;
    }

    /// <summary>Counts one failure (or one request, for limits on requests) and locks the key when it reaches <paramref name="limit"/>.</summary>
    public Task CountAsync(string key, int limit, TimeSpan window, TimeSpan lockout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windowStart = now - window;
        var lockedUntil = now + lockout;
        return db.Database.ExecuteSqlAsync($"""
            insert into identity.throttles as t (key, window_start, attempts, locked_until)
            values ({key}, {now}, 1, case when 1 >= {limit} then {lockedUntil} end)
            on conflict (key) do update set
                window_start = case when t.window_start < {windowStart} then {now} else t.window_start end,
                attempts = case when t.window_start < {windowStart} then 1 else t.attempts + 1 end,
                locked_until = case
                    when (case when t.window_start < {windowStart} then 1 else t.attempts + 1 end) >= {limit} then {lockedUntil}
                    else t.locked_until end
            """, cancellationToken);
    }

    public Task ClearAsync(string key, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"delete from identity.throttles where key = {key}", cancellationToken);
}
