using System.Globalization;

namespace TicketToken.Dapr.SidecarDouble;

/// <summary>
/// A transactional, ETag-versioned key/value store like the ones Dapr requires for state and actors
/// (Redis-style numeric ETags; a malformed ETag is an error of its own).
/// </summary>
internal sealed class KeyValueStore(TimeProvider time)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _version;

    private sealed record Entry(string Json, long ETag, DateTimeOffset? ExpiresAt);

    public enum Outcome
    {
        Ok,
        ETagMismatch,
        ETagInvalid,
    }

    /// <summary>One write of a batch or transaction; <see cref="Json"/> null deletes.</summary>
    public sealed record Write(string Key, string? Json, string? ETag, bool FirstWrite, TimeSpan? Ttl);

    public (string Json, string ETag)? Get(string key)
    {
        lock (_gate)
        {
            return Live(key) is { } entry ? (entry.Json, entry.ETag.ToString(CultureInfo.InvariantCulture)) : null;
        }
    }

    public Outcome Apply(Write write)
    {
        lock (_gate)
        {
            var outcome = Check(write);
            if (outcome == Outcome.Ok)
            {
                Commit(write);
            }

            return outcome;
        }
    }

    /// <summary>All or nothing: every write is checked before any is applied.</summary>
    public Outcome ApplyAll(IReadOnlyList<Write> writes)
    {
        lock (_gate)
        {
            foreach (var write in writes)
            {
                var outcome = Check(write);
                if (outcome != Outcome.Ok)
                {
                    return outcome;
                }
            }

            foreach (var write in writes)
            {
                Commit(write);
            }

            return Outcome.Ok;
        }
    }

    public int Count(Func<string, bool> keyFilter)
    {
        lock (_gate)
        {
            return _entries.Keys.Count(keyFilter);
        }
    }

    private Outcome Check(Write write)
    {
        var current = Live(write.Key);
        if (write.ETag is not null)
        {
            if (!long.TryParse(write.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
            {
                return Outcome.ETagInvalid;
            }

            return current is not null && current.ETag == expected ? Outcome.Ok : Outcome.ETagMismatch;
        }

        return write.FirstWrite && write.Json is not null && current is not null ? Outcome.ETagMismatch : Outcome.Ok;
    }

    private void Commit(Write write)
    {
        if (write.Json is null)
        {
            _entries.Remove(write.Key);
            return;
        }

        _entries[write.Key] = new Entry(write.Json, ++_version, write.Ttl is { } ttl ? time.GetUtcNow() + ttl : null);
    }

    private Entry? Live(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            _entries.Remove(key);
            return null;
        }

        return entry;
    }
}
