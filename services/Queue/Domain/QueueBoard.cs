using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Queue.Data;

namespace TicketToken.Queue.Domain;

/// <summary>The settings of a queued on-sale as the admitting loop and the fan routes use them (signing key decrypted).</summary>
public sealed record OnSaleSettings(Guid EventId, Guid OrganizerId, DateTimeOffset OpensAt, int? WaveSize, TimeSpan WaveInterval, TimeSpan AdmissionValidity,
    int ProofOfWorkBits, int DelayAtScore, int RefuseAtScore, bool Queued, byte[] SigningKey, byte[] PublicKey)
{
    public Microsoft.IdentityModel.Tokens.SigningCredentials Signing { get; } = AdmissionSigner.CredentialsFor(SigningKey);

    public static OnSaleSettings From(QueuedOnSale row, SecretProtector secrets) => new(row.EventId, row.OrganizerId, row.OpensAt, row.WaveSize,
        TimeSpan.FromSeconds(row.WaveIntervalSeconds), TimeSpan.FromSeconds(row.AdmissionValiditySeconds), row.ProofOfWorkBits, row.DelayAtScore,
        row.RefuseAtScore, row.Queued, secrets.Unprotect(row.SigningKey), row.PublicKey);
}

/// <summary>One fan's entry, as held in memory.</summary>
public sealed class QueueEntry(Guid userId, DateTimeOffset joinedAt, long? place, int riskScore, string status, DateTimeOffset? admittedAt)
{
    public Guid UserId { get; } = userId;
    public DateTimeOffset JoinedAt { get; } = joinedAt;
    public long? Place { get; set; } = place;
    public int RiskScore { get; } = riskScore;
    public string Status { get; set; } = status;
    public DateTimeOffset? AdmittedAt { get; set; } = admittedAt;

    /// <summary>The signed admission, made once at the first poll after admission, so polls do not sign again.</summary>
    public string? Admission { get; set; }
}

public static class EntryStatuses
{
    public const string Waiting = "waiting";
    public const string Admitted = "admitted";
    public const string Refused = "refused";
}

/// <summary>
/// One on-sale's line in memory: every entry, and how many waiting fans are ahead of each, recomputed by the admitting
/// loop after every change it makes. Polls read only this (no database read per poll); joins and admissions write the
/// database first and then this.
/// </summary>
public sealed class Line(OnSaleSettings settings)
{
    private FrozenDictionary<Guid, int> _ahead = FrozenDictionary<Guid, int>.Empty;

    public OnSaleSettings Settings { get; set; } = settings;
    public ConcurrentDictionary<Guid, QueueEntry> Entries { get; } = new();
    public DateTimeOffset? OpenedAt { get; set; }
    public bool SoldOut { get; set; }
    public DateTimeOffset LastWaveAt { get; set; } = DateTimeOffset.MinValue;
    public int Waiting { get; private set; }

    /// <summary>Fans admitted per minute: the organizer's rate when fixed, else what the last waves admitted.</summary>
    public double AdmissionRatePerMinute { get; set; }

    public int? AheadOf(Guid userId) => _ahead.TryGetValue(userId, out var ahead) ? ahead : null;

    /// <summary>Counts the waiting fans ahead of each (by place); about 30 ms for 100,000 fans, once per tick that changed something.</summary>
    public void RefreshPositions()
    {
        var waiting = Entries.Values.Where(e => e.Status == EntryStatuses.Waiting && e.Place is not null).Select(e => (e.Place!.Value, e.UserId)).ToArray();
        Array.Sort(waiting, (a, b) => a.Item1.CompareTo(b.Item1));
        var ahead = new Dictionary<Guid, int>(waiting.Length);
        for (var i = 0; i < waiting.Length; i++)
        {
            ahead[waiting[i].UserId] = i;
        }

        _ahead = ahead.ToFrozenDictionary();
        Waiting = Entries.Values.Count(e => e.Status == EntryStatuses.Waiting);
    }
}

/// <summary>Every queued on-sale's line, and the database writes that change them.</summary>
public sealed class QueueBoard(
    [FromKeyedServices(QueueModule.Id)] NpgsqlDataSource database,
    [FromKeyedServices(QueueModule.Id)] SecretProtector secrets,
    IOptions<QueueOptions> options,
    TimeProvider time,
    QueueMetrics metrics)
{
    /// <summary>Places of fans who joined after the opening start here, after every fan shuffled at the opening.</summary>
    public const long LateOffset = 1_000_000_000;

    private readonly ConcurrentDictionary<Guid, Line> _lines = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IEnumerable<Line> Lines => _lines.Values;

    public Line? LineOf(Guid eventId) => _lines.TryGetValue(eventId, out var line) && line.Settings.Queued ? line : null;

    public Task WaitLoadedAsync(CancellationToken cancellationToken) => _loaded.Task.IsCompleted ? Task.CompletedTask : _loaded.Task.WaitAsync(cancellationToken);

    /// <summary>Reads every queued on-sale and its entries back after a start (a kill -9 loses nothing that was answered).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        {
            var rows = new List<QueuedOnSale>();
            await using (var command = new NpgsqlCommand("""
                select event_id, organizer_id, opens_at, wave_size, wave_interval_seconds, admission_validity_seconds, proof_of_work_bits,
                       delay_at_score, refuse_at_score, queued, signing_key, public_key, opened_at, sold_out
                from queue.onsales
                """, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(new QueuedOnSale
                    {
                        EventId = reader.GetGuid(0), OrganizerId = reader.GetGuid(1), OpensAt = reader.GetFieldValue<DateTimeOffset>(2),
                        WaveSize = reader.IsDBNull(3) ? null : reader.GetInt32(3), WaveIntervalSeconds = reader.GetInt32(4), AdmissionValiditySeconds = reader.GetInt32(5),
                        ProofOfWorkBits = reader.GetInt32(6), DelayAtScore = reader.GetInt32(7), RefuseAtScore = reader.GetInt32(8), Queued = reader.GetBoolean(9),
                        SigningKey = reader.GetFieldValue<byte[]>(10), PublicKey = reader.GetFieldValue<byte[]>(11),
                        OpenedAt = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12), SoldOut = reader.GetBoolean(13),
                    });
                }
            }

            foreach (var row in rows)
            {
                var line = new Line(OnSaleSettings.From(row, secrets)) { OpenedAt = row.OpenedAt, SoldOut = row.SoldOut };
                await using var entries = new NpgsqlCommand("""
                    select user_id, joined_at, place, risk_score, status, admitted_at from queue.entries where event_id = $1
                    """, connection) { Parameters = { new() { Value = row.EventId } } };
                await using var reader = await entries.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var entry = new QueueEntry(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetInt64(2),
                        reader.GetInt32(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
                    line.Entries[entry.UserId] = entry;
                }

                // The last wave's time comes back too, so a restart does not admit a wave early.
                line.LastWaveAt = line.Entries.Values.Max(e => e.AdmittedAt) ?? DateTimeOffset.MinValue;
                line.AdmissionRatePerMinute = FixedRate(line.Settings) ?? 0;
                line.RefreshPositions();
                _lines[row.EventId] = line;
            }
        }

        _loaded.TrySetResult();
    }

    /// <summary>The organizer's settings changed (or the on-sale was just queued).</summary>
    public void Apply(OnSaleSettings settings)
    {
        var line = _lines.GetOrAdd(settings.EventId, _ => new Line(settings));
        line.Settings = settings;
        line.AdmissionRatePerMinute = FixedRate(settings) ?? line.AdmissionRatePerMinute;
    }

    public static double? FixedRate(OnSaleSettings settings) => settings.WaveSize is { } wave ? wave * 60.0 / settings.WaveInterval.TotalSeconds : null;

    /// <summary>
    /// Puts the account in the line once. Before the opening its place is left empty for the shuffle; after it, the place
    /// follows the arrival order. A score at the organizer's delay score moves the place behind everybody below it; at the
    /// refusal score the entry is kept (one per account, and it shows in the organizer's distribution) but never admitted.
    /// </summary>
    public async Task<(QueueEntry Entry, bool Created)> JoinAsync(Line line, Guid userId, int riskScore, IReadOnlyList<string> signals, string? address,
        CancellationToken cancellationToken)
    {
        if (line.Entries.TryGetValue(userId, out var known))
        {
            return (known, false);
        }

        var settings = line.Settings;
        var now = ToDatabasePrecision(time.GetUtcNow());
        var status = riskScore >= settings.RefuseAtScore ? EntryStatuses.Refused : EntryStatuses.Waiting;
        var early = now < settings.OpensAt && line.OpenedAt is null;
        var offset = riskScore >= settings.DelayAtScore ? RiskScore.DelayedPlaceOffset : 0;
        await using var command = database.CreateCommand("""
            insert into queue.entries (event_id, user_id, joined_at, place, risk_score, signals, client_address, status)
            values ($1, $2, $3, case when $4 then null else $5 + nextval('queue.arrivals') end, $6, $7, $8, $9)
            on conflict (event_id, user_id) do nothing
            returning place
            """);
        command.Parameters.AddWithValue(line.Settings.EventId);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(early);
        command.Parameters.AddWithValue(LateOffset + offset);
        command.Parameters.AddWithValue(riskScore);
        command.Parameters.AddWithValue(signals.ToArray());
        command.Parameters.AddWithValue(address is null ? DBNull.Value : address);
        command.Parameters.AddWithValue(status);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            await reader.DisposeAsync();
            return (await ReadEntryAsync(line, userId, cancellationToken), false);
        }

        var entry = new QueueEntry(userId, now, reader.IsDBNull(0) ? null : reader.GetInt64(0), riskScore, status, null);
        line.Entries[userId] = entry;
        metrics.Joined(status == EntryStatuses.Refused);
        return (entry, true);
    }

    private async Task<QueueEntry> ReadEntryAsync(Line line, Guid userId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("select joined_at, place, risk_score, status, admitted_at from queue.entries where event_id = $1 and user_id = $2");
        command.Parameters.AddWithValue(line.Settings.EventId);
        command.Parameters.AddWithValue(userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var entry = new QueueEntry(userId, reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt32(2),
            reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
        return line.Entries.GetOrAdd(userId, entry);
    }

    /// <summary>
    /// Gives every entry still without a place (those who came before the opening, and any whose join raced the opening)
    /// a uniformly random place after the ones already given, humans before the delayed; one transaction.
    /// </summary>
    public async Task<int> ShuffleUnplacedAsync(Line line, CancellationToken cancellationToken)
    {
        var settings = line.Settings;
        var unplaced = line.Entries.Values.Where(e => e.Place is null).OrderBy(e => e.UserId).ToList();
        var now = ToDatabasePrecision(time.GetUtcNow());
        if (line.OpenedAt is not null && unplaced.Count == 0)
        {
            return 0;
        }

        OpeningShuffle.Shuffle(unplaced, options.Value.ShuffleSeed);
        var placed = line.Entries.Values.Where(e => e.Place is { } p && p < LateOffset).Select(e => e.Place!.Value).DefaultIfEmpty(0).Max();
        var delayed = line.Entries.Values.Where(e => e.Place is { } p && p >= RiskScore.DelayedPlaceOffset && p < RiskScore.DelayedPlaceOffset + LateOffset)
            .Select(e => e.Place!.Value - RiskScore.DelayedPlaceOffset).DefaultIfEmpty(0).Max();
        var places = new long[unplaced.Count];
        for (var i = 0; i < unplaced.Count; i++)
        {
            places[i] = unplaced[i].RiskScore >= settings.DelayAtScore ? RiskScore.DelayedPlaceOffset + ++delayed : ++placed;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand("""
            update queue.entries e set place = p.place
            from unnest($2::uuid[], $3::bigint[]) as p(user_id, place)
            where e.event_id = $1 and e.user_id = p.user_id and e.place is null
            """, connection, transaction))
        {
            update.Parameters.AddWithValue(settings.EventId);
            update.Parameters.AddWithValue(unplaced.Select(e => e.UserId).ToArray());
            update.Parameters.AddWithValue(places);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var open = new NpgsqlCommand("update queue.onsales set opened_at = coalesce(opened_at, $2) where event_id = $1", connection, transaction))
        {
            open.Parameters.AddWithValue(settings.EventId);
            open.Parameters.AddWithValue(now);
            await open.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        line.OpenedAt ??= now;
        for (var i = 0; i < unplaced.Count; i++)
        {
            unplaced[i].Place = places[i];
        }

        return unplaced.Count;
    }

    /// <summary>Admits the next <paramref name="count"/> waiting fans by place, in one statement.</summary>
    public async Task<int> AdmitAsync(Line line, int count, CancellationToken cancellationToken)
    {
        var now = ToDatabasePrecision(time.GetUtcNow());
        await using var command = database.CreateCommand("""
            update queue.entries set status = 'admitted', admitted_at = $3
            where event_id = $1 and user_id in (
                select user_id from queue.entries where event_id = $1 and status = 'waiting' and place is not null order by place limit $2)
            returning user_id
            """);
        command.Parameters.AddWithValue(line.Settings.EventId);
        command.Parameters.AddWithValue(count);
        command.Parameters.AddWithValue(now);
        var admitted = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (line.Entries.TryGetValue(reader.GetGuid(0), out var entry))
            {
                entry.Status = EntryStatuses.Admitted;
                entry.AdmittedAt = now;
                metrics.Admitted(now - (line.OpenedAt is { } opened && opened > entry.JoinedAt ? opened : entry.JoinedAt));
            }

            admitted++;
        }

        return admitted;
    }

    /// <summary>
    /// PostgreSQL keeps microseconds; a time kept in memory with the clock's 100 ns would differ from the same time read back
    /// after a restart (an admission's expiry would move by a fraction of a microsecond).
    /// </summary>
    private static DateTimeOffset ToDatabasePrecision(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMicrosecond));

    public async Task SetSoldOutAsync(Line line, bool soldOut, CancellationToken cancellationToken)
    {
        if (line.SoldOut == soldOut)
        {
            return;
        }

        await using var command = database.CreateCommand("update queue.onsales set sold_out = $2 where event_id = $1");
        command.Parameters.AddWithValue(line.Settings.EventId);
        command.Parameters.AddWithValue(soldOut);
        await command.ExecuteNonQueryAsync(cancellationToken);
        line.SoldOut = soldOut;
    }

    /// <summary>The admission of an admitted entry, signed once; null once it has expired.</summary>
    public (string Token, DateTimeOffset ExpiresAt)? AdmissionOf(Line line, QueueEntry entry)
    {
        if (entry.Status != EntryStatuses.Admitted || entry.AdmittedAt is not { } admittedAt)
        {
            return null;
        }

        var expiresAt = admittedAt + line.Settings.AdmissionValidity;
        if (time.GetUtcNow() >= expiresAt)
        {
            return null;
        }

        entry.Admission ??= AdmissionSigner.Sign(line.Settings.Signing, line.Settings.EventId, entry.UserId, admittedAt, expiresAt);
        return (entry.Admission, expiresAt);
    }
}
