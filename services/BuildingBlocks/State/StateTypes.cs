using System.Globalization;

namespace TicketToken.BuildingBlocks.State;

public enum Concurrency
{
    /// <summary>Blind writes unless an ETag is given (Dapr's default).</summary>
    LastWrite,

    /// <summary>Writes need the current ETag; without one they only insert.</summary>
    FirstWrite,
}

public enum ConsistencyMode
{
    Eventual,
    Strong,
}

/// <summary>Per-request concurrency and consistency, as in Dapr's state item <c>options</c>.</summary>
public sealed record StateOptions(Concurrency Concurrency = Concurrency.LastWrite, ConsistencyMode Consistency = ConsistencyMode.Strong);

public enum StateOperationType
{
    Upsert,
    Delete,
}

/// <summary>One operation of a state transaction. <paramref name="Value"/> is serialized with the runtime JSON options.</summary>
public sealed record StateTransactionRequest(
    string Key,
    object? Value,
    StateOperationType OperationType,
    string? ETag = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    StateOptions? Options = null)
{
    public static StateTransactionRequest Upsert(string key, object? value, string? etag = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, value, StateOperationType.Upsert, etag, metadata);

    public static StateTransactionRequest Delete(string key, string? etag = null) =>
        new(key, null, StateOperationType.Delete, etag);
}

public sealed record BulkStateItem<T>(string Key, T? Value, string? ETag, bool Found);

/// <summary>Well-known state metadata keys.</summary>
public static class StateMetadata
{
    public const string TtlInSeconds = "ttlInSeconds";

    /// <summary>Metadata that makes a value expire after <paramref name="ttl"/> (whole seconds, at least one).</summary>
    public static IReadOnlyDictionary<string, string> Ttl(TimeSpan ttl) =>
        new Dictionary<string, string>
        {
            [TtlInSeconds] = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>Reads <c>ttlInSeconds</c>: null when absent or -1 (persist).</summary>
    public static TimeSpan? ReadTtl(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(TtlInSeconds, out var text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds < -1 || seconds == 0)
        {
            throw new ArgumentException($"'{TtlInSeconds}' must be a positive number of seconds or -1, not '{text}'.", nameof(metadata));
        }

        return seconds == -1 ? null : TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>Base of every state store failure.</summary>
public class StateException : Exception
{
    public StateException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The ETag given did not match the stored one (or first-write found a live value).</summary>
public sealed class ETagMismatchException : StateException
{
    public ETagMismatchException(string key) : base($"The ETag for state key '{key}' does not match the stored value.") => Key = key;

    public string Key { get; }
}

/// <summary>A state transaction was rolled back; nothing of it was applied.</summary>
public sealed class StateTransactionException : StateException
{
    public StateTransactionException(string message, Exception? inner = null) : base(message, inner) { }
}
