using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Queue.Data;

namespace TicketToken.Queue.Domain;

/// <summary>
/// Gathers the risk signals of a join: the account's age (from identity.user-registered), joins from the address in the
/// last minute and accounts from the address in this line (counted in memory, so the signal costs no query), and the
/// proof-of-work answer when the organizer asks for one, and failed sign-ins of the account and from the address (from
/// identity.sign-in-failed, counted in <c>queue.sign_in_failures</c>).
/// </summary>
public sealed class FanSignals(QueueDbContext db, [FromKeyedServices(QueueModule.Id)] NpgsqlDataSource database, AddressActivity addresses, TimeProvider time)
{
    public async Task<(int Score, IReadOnlyList<string> Reasons)> ScoreAsync(Line line, Guid userId, string? address, string? nonce, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var registeredAt = await db.Accounts.Where(a => a.UserId == userId).Select(a => (DateTimeOffset?)a.RegisteredAt).SingleOrDefaultAsync(cancellationToken);
        var (failedOfAccount, failedFromAddress) = await FailedSignInsAsync(userId, address, now, cancellationToken);
        var (joinsLastMinute, accounts) = address is null ? (0, 0) : addresses.Record(line.Settings.EventId, address, userId, now);
        bool? solved = line.Settings.ProofOfWorkBits > 0
            ? ProofOfWork.IsSolved(ProofOfWork.ChallengeFor(line.Settings.PublicKey, line.Settings.EventId, userId), nonce, line.Settings.ProofOfWorkBits)
            : null;
        return RiskScore.Of(new RiskScore.Signals(registeredAt is { } at ? now - at : null, joinsLastMinute, accounts, solved, failedOfAccount, failedFromAddress));
    }

    /// <summary>Failed sign-ins of the account and from the address within the last day (one indexed read of at most two rows).</summary>
    private async Task<(int Account, int Address)> FailedSignInsAsync(Guid userId, string? address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var accountKey = SignInFailures.AccountKey(userId);
        string[] keys = address is null ? [accountKey] : [accountKey, SignInFailures.AddressKey(address)];
        await using var command = database.CreateCommand("select key, failures from queue.sign_in_failures where key = any($1) and window_start > $2");
        command.Parameters.AddWithValue(keys);
        command.Parameters.AddWithValue(now - SignInFailures.Window);
        var (account, fromAddress) = (0, 0);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetString(0) == accountKey)
            {
                account = reader.GetInt32(1);
            }
            else
            {
                fromAddress = reader.GetInt32(1);
            }
        }

        return (account, fromAddress);
    }
}

/// <summary>Joins per client address: a one-minute window of counts, and the accounts seen per (on-sale, address).</summary>
public sealed class AddressActivity
{
    private readonly ConcurrentDictionary<string, Window> _joins = new();
    private readonly ConcurrentDictionary<(Guid, string), HashSet<Guid>> _accounts = new();

    public (int JoinsLastMinute, int Accounts) Record(Guid eventId, string address, Guid userId, DateTimeOffset now)
    {
        var window = _joins.GetOrAdd(address, _ => new Window());
        int joins;
        lock (window)
        {
            if (now - window.Start >= TimeSpan.FromMinutes(1))
            {
                (window.Start, window.Count) = (now, 0);
            }

            joins = ++window.Count;
        }

        var accounts = _accounts.GetOrAdd((eventId, address), _ => []);
        lock (accounts)
        {
            accounts.Add(userId);
            return (joins, accounts.Count);
        }
    }

    private sealed class Window
    {
        public DateTimeOffset Start { get; set; } = DateTimeOffset.MinValue;
        public int Count { get; set; }
    }
}

/// <summary>How failed sign-ins are counted in <c>queue.sign_in_failures</c>: per account and per client address, over a day.</summary>
public static class SignInFailures
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    public static string AccountKey(Guid userId) => $"account:{userId:N}";

    public static string AddressKey(string address) => $"address:{address}";
}
