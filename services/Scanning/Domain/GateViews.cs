using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Scanning.Domain;

/// <summary>A ticket as scanning knows it (from <c>tickets.changed</c>).</summary>
public sealed record TicketView(Guid Id, Guid EventId, Guid OrganizerId, Guid TicketTypeId, string Status, int SecretVersion, bool Locked, long Sequence);

/// <summary>A device as scanning knows it (from <c>identity.device-changed</c>).</summary>
public sealed record DeviceView(Guid Id, Guid OrganizerId, Guid VenueId, string Name, IReadOnlyList<string> Zones, bool Active, long Version);

/// <summary>An event with everything a gate needs in memory: its times, zones per ticket type, policy, tickets and key.</summary>
public sealed class EventView
{
    public required Guid Id { get; init; }
    public required Guid OrganizerId { get; init; }
    public required Guid VenueId { get; init; }
    public required string Name { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required DateTimeOffset EndsAt { get; init; }
    public required bool Cancelled { get; init; }

    /// <summary>Whether the organizer allows wallet passes, so the gate admits their fixed pass codes (<see cref="PassCode"/>).</summary>
    public required bool PassCodesAllowed { get; init; }

    public required long Version { get; init; }
    public required IReadOnlyDictionary<Guid, string> Zones { get; init; }
    public required ScanPolicy Policy { get; init; }
    public required DateTimeOffset? PolicyUpdatedAt { get; init; }
    public ConcurrentDictionary<Guid, TicketView> Tickets { get; } = new();

    /// <summary>Grows whenever a ticket of the view changes: what a cached manifest is checked against.</summary>
    public long TicketChanges => Interlocked.Read(ref _ticketChanges);

    private long _ticketChanges;

    /// <summary>The last manifest made of this view, its signature, and when and at which <see cref="TicketChanges"/>.</summary>
    internal (byte[] Body, string Signature, DateTimeOffset MadeAt, long TicketChanges)? Manifest { get; set; }

    /// <summary>Keeps the ticket unless the view has a newer one.</summary>
    internal void Put(TicketView ticket)
    {
        var kept = Tickets.AddOrUpdate(ticket.Id, ticket, (_, old) => old.Sequence >= ticket.Sequence ? old : ticket);
        if (ReferenceEquals(kept, ticket))
        {
            Interlocked.Increment(ref _ticketChanges);
        }
    }

    /// <summary>The event's entry key (plain, in memory only) and code step, once fetched.</summary>
    public EntryKey? Key { get; set; }

    internal DateTimeOffset RefreshedAt { get; set; }
    internal SemaphoreSlim Refreshing { get; } = new(1, 1);

    public DateTimeOffset CheckInOpensAt => StartsAt.AddMinutes(-Policy.CheckInOpensMinutesBefore);
    public DateTimeOffset CheckInClosesAt => EndsAt.AddMinutes(Policy.CheckInClosesMinutesAfter);

    /// <summary>A ticket type's zone; a type catalog did not name (or an older message without zones) is general admission.</summary>
    public string ZoneOf(Guid ticketTypeId) => Zones.GetValueOrDefault(ticketTypeId) ?? AccessZones.GeneralAdmission;
}

public sealed record EntryKey(byte[] Key, int StepSeconds);

/// <summary>
/// The hot path's reads, in memory: events (with their tickets, policy and key) and devices, loaded from scanning's own
/// projections. The projection handlers apply their changes here right after committing them, so this process sees a
/// change at once; another replica catches up within <see cref="ScanningOptions.ViewRefreshInterval"/> by re-reading
/// what was projected since (with an overlap, because sequences commit out of order).
/// </summary>
public sealed class GateViews(
    [FromKeyedServices(ScanningModule.Id)] NpgsqlDataSource dataSource,
    [FromKeyedServices(ScanningModule.Id)] SecretProtector protector,
    IActorProxyFactory actors,
    TimeProvider time,
    IOptions<ScanningOptions> options)
{
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, Task<EventView?>> _events = new();

    // Tickets that may have passages (allowed scans) in the log, and the events whose such tickets were read from it.
    private readonly ConcurrentDictionary<Guid, byte> _mayHavePassages = new();
    private readonly ConcurrentDictionary<Guid, byte> _passagesRead = new();
    private readonly ConcurrentDictionary<Guid, (DeviceView? Device, DateTimeOffset LoadedAt)> _devices = new();

    public async Task<EventView?> EventAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        var loading = _events.GetOrAdd(eventId, id => LoadEventAsync(id));
        EventView? view;
        try
        {
            view = await loading.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _events.TryRemove(new KeyValuePair<Guid, Task<EventView?>>(eventId, loading));
            throw;
        }

        if (view is null)
        {
            _events.TryRemove(new KeyValuePair<Guid, Task<EventView?>>(eventId, loading)); // not announced yet: ask again next time
            return null;
        }

        if (time.GetUtcNow() - view.RefreshedAt > options.Value.ViewRefreshInterval && await view.Refreshing.WaitAsync(0, cancellationToken))
        {
            try
            {
                view = await RefreshAsync(view, cancellationToken);
            }
            finally
            {
                view.Refreshing.Release();
            }
        }

        return view;
    }

    /// <summary>The ticket, from the event's view, or (for a ticket of another event) from the projection.</summary>
    public async Task<TicketView?> TicketAsync(EventView view, Guid ticketId, CancellationToken cancellationToken = default)
    {
        if (view.Tickets.TryGetValue(ticketId, out var ticket))
        {
            return ticket;
        }

        await using var command = dataSource.CreateCommand(
            "select id, event_id, organizer_id, ticket_type_id, status, secret_version, locked, sequence from scanning.tickets where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = ticketId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadTicket(reader) : null;
    }

    public async Task<DeviceView?> DeviceAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        if (_devices.TryGetValue(deviceId, out var cached) && time.GetUtcNow() - cached.LoadedAt < options.Value.ViewRefreshInterval)
        {
            return cached.Device;
        }

        await using var command = dataSource.CreateCommand("select id, organizer_id, venue_id, name, zones, active, version from scanning.devices where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = deviceId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var device = await reader.ReadAsync(cancellationToken)
            ? new DeviceView(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetFieldValue<string[]>(4), reader.GetBoolean(5), reader.GetInt64(6))
            : null;
        _devices[deviceId] = (device, time.GetUtcNow());
        return device;
    }

    /// <summary>The event's key: from scanning's own encrypted copy, or fetched once from the tickets module and kept.</summary>
    public async Task<EntryKey> KeyAsync(EventView view, CancellationToken cancellationToken = default)
    {
        if (view.Key is { } known)
        {
            return known;
        }

        await using (var command = dataSource.CreateCommand("select key_ciphertext, step_seconds from scanning.event_keys where event_id = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = view.Id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return view.Key = new EntryKey(protector.Unprotect(reader.GetFieldValue<byte[]>(0)), reader.GetInt32(1));
            }
        }

        var fetched = await actors.CreateActorProxy<IEventEntryKeysActor>(TicketsActors.EntryKeysId(view.Id), TicketsActors.EntryKeys).GetAsync()
            ?? throw new EntryKeyUnavailableException(view.Id);
        await using (var insert = dataSource.CreateCommand(
            "insert into scanning.event_keys (event_id, key_ciphertext, step_seconds, fetched_at) values ($1, $2, $3, $4) on conflict (event_id) do nothing"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = view.Id });
            insert.Parameters.Add(new NpgsqlParameter { Value = protector.Protect(fetched.Key) });
            insert.Parameters.Add(new NpgsqlParameter { Value = fetched.StepSeconds });
            insert.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return view.Key = new EntryKey(fetched.Key, fetched.StepSeconds);
    }

    /// <summary>
    /// True when the ticket certainly has no passages yet, so its check-in actor need not read the log. Only where this
    /// process is the one host scanning this database (the embedded runtime's lease, which also makes an actor's single
    /// activation true): it read the event's scanned tickets once, and marks every ticket before it writes a passage of it.
    /// Under Dapr another replica may have admitted the ticket, and the actor always reads.
    /// </summary>
    public bool KnownWithoutPassages(Guid eventId, Guid ticketId) =>
        options.Value.SingleHost && _passagesRead.ContainsKey(eventId) && !_mayHavePassages.ContainsKey(ticketId);

    /// <summary>Marks a ticket before a passage of it is written (even one that may then fail): marking is always safe.</summary>
    public void MayHavePassages(Guid ticketId) => _mayHavePassages.TryAdd(ticketId, 0);

    /// <summary>A ticket change this process has just committed to the projection.</summary>
    public void Apply(TicketView ticket)
    {
        if (_events.TryGetValue(ticket.EventId, out var loading) && loading.IsCompletedSuccessfully && loading.Result is { } view)
        {
            view.Put(ticket);
        }
    }

    public void Apply(DeviceView device) => _devices[device.Id] = (device, time.GetUtcNow());

    /// <summary>The event, its zones or its policy changed: the next scan loads it afresh.</summary>
    public void Forget(Guid eventId) => _events.TryRemove(eventId, out _);

    private async Task<EventView?> LoadEventAsync(Guid eventId)
    {
        var loadedAt = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync();
        EventView? view = null;
        await using (var command = new NpgsqlCommand("""
            select e.organizer_id, e.venue_id, e.name, e.starts_at, e.ends_at, e.cancelled_at is not null, e.version, p.rules::text, p.updated_at,
                   (select coalesce(array_agg(t.id), '{}') from scanning.ticket_types t where t.event_id = e.id),
                   (select coalesce(array_agg(t.access_zone), '{}') from scanning.ticket_types t where t.event_id = e.id),
                   e.wallet_passes_allowed
            from scanning.events e left join scanning.scan_policies p on p.event_id = e.id
            where e.id = $1
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = eventId });
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                var typeIds = reader.GetFieldValue<Guid[]>(9);
                var zones = reader.GetFieldValue<string[]>(10);
                view = new EventView
                {
                    Id = eventId,
                    OrganizerId = reader.GetGuid(0),
                    VenueId = reader.GetGuid(1),
                    Name = reader.GetString(2),
                    StartsAt = reader.GetFieldValue<DateTimeOffset>(3),
                    EndsAt = reader.GetFieldValue<DateTimeOffset>(4),
                    Cancelled = reader.GetBoolean(5),
                    PassCodesAllowed = reader.GetBoolean(11),
                    Version = reader.GetInt64(6),
                    Policy = reader.IsDBNull(7) ? ScanPolicy.Default : JsonSerializer.Deserialize<ScanPolicy>(reader.GetString(7), RuntimeJson.Options)!,
                    PolicyUpdatedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    Zones = typeIds.Zip(zones).ToDictionary(p => p.First, p => p.Second),
                    RefreshedAt = loadedAt,
                };
            }
        }

        if (view is not null)
        {
            await ReadTicketsAsync(connection, view, since: null, CancellationToken.None);
            if (options.Value.SingleHost && !_passagesRead.ContainsKey(eventId))
            {
                await using var scanned = new NpgsqlCommand("""
                    select distinct s.ticket_id from scanning.scans s join scanning.tickets t on t.id = s.ticket_id where t.event_id = $1 and s.allowed
                    """, connection);
                scanned.Parameters.Add(new NpgsqlParameter { Value = eventId });
                await using var reader = await scanned.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    _mayHavePassages.TryAdd(reader.GetGuid(0), 0);
                }

                _passagesRead.TryAdd(eventId, 0);
            }
        }

        return view;
    }

    private async Task<EventView> RefreshAsync(EventView view, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            "select e.version, e.cancelled_at is not null, p.updated_at from scanning.events e left join scanning.scan_policies p on p.event_id = e.id where e.id = $1", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = view.Id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)
                && (reader.GetInt64(0) != view.Version || reader.GetBoolean(1) != view.Cancelled
                    || (reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset?>(2)) != view.PolicyUpdatedAt))
            {
                // Changed elsewhere: load the whole view again (rare: a re-announcement, a cancellation, a new policy).
                Forget(view.Id);
                return await EventAsync(view.Id, cancellationToken) ?? view;
            }
        }

        await ReadTicketsAsync(connection, view, view.RefreshedAt - Overlap, cancellationToken);
        view.RefreshedAt = startedAt;
        return view;
    }

    private static async Task ReadTicketsAsync(NpgsqlConnection connection, EventView view, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select id, event_id, organizer_id, ticket_type_id, status, secret_version, locked, sequence from scanning.tickets where event_id = $1 and projected_at >= $2",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = view.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = since ?? DateTimeOffset.UnixEpoch });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ticket = ReadTicket(reader);
            view.Put(ticket);
        }
    }

    private static TicketView ReadTicket(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetString(4), reader.GetInt32(5), reader.GetBoolean(6), reader.GetInt64(7));
}

/// <summary>The tickets module could not give the event's key (it has never heard of the event, or is unreachable).</summary>
public sealed class EntryKeyUnavailableException(Guid eventId) : Exception($"The entry key of event {eventId} is not available.");
