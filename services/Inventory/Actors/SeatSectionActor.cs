using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Actors;

/// <summary>
/// The reserved seats of one section. The whole section lives in memory, so a hold that conflicts is refused
/// without touching the database; an accepted hold writes only the rows it changed (one state key per row)
/// and its expiry reminder, in the turn's single commit, before the caller hears yes.
/// </summary>
public sealed class SeatSectionActor(ActorHost host, [FromKeyedServices(InventoryModule.Id)] IEventPublisher publisher) : PublishingActor(host, publisher), ISeatSectionActor, IRemindable
{
    private const string LayoutKey = "layout";
    private const string CancelledKey = "cancelled";
    /// <summary>
    /// The section's expiry reminder, due at (or before) the earliest expiry of an unsold hold. Each arming registers a
    /// new name (<c>expiry:{due ticks}</c>) rather than re-registering the one firing, which a runtime may delete once
    /// its callback returns; a superseded one fires later and finds nothing to do.
    /// </summary>
    private const string ExpiryReminder = "expiry:";

    /// <summary>Per-hold reminders of earlier versions; still honoured if one is left.</summary>
    private const string HoldExpiryReminder = "expire:";

    private SectionLayout? _layout;
    private Seat[] _seats = [];
    private Dictionary<string, int> _byId = [];
    private int[] _rowStarts = [];
    private SeatClaim?[] _claims = [];

    /// <summary>
    /// Per seat, until when it is taken (UTC ticks): 0 when free, <see cref="long.MaxValue"/> when sold or blocked. Kept
    /// next to <see cref="_claims"/> by <see cref="SetClaim"/> so that a best-available search reads one flat array.
    /// </summary>
    private long[] _takenUntil = [];

    /// <summary>How many seats each hold has in this section, so a hold id that is not here is known at once.</summary>
    private readonly Dictionary<Guid, int> _seatsByHold = [];

    /// <summary>The per-row scratch space of a best-available search (turns of one actor never overlap).</summary>
    private bool[][] _free = [];
    private bool _cancelled;

    /// <summary>
    /// When the expiry reminder fires at the latest. A hold that expires later needs no reminder write: the reminder
    /// releases what expired and re-arms itself for the next earliest expiry. Known after loading as the earliest expiry
    /// of an unsold hold, which the committed reminder is never later than.
    /// </summary>
    private DateTimeOffset? _expiryDue;

    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task InitializeAsync(SectionLayout layout)
    {
        await LoadAsync();
        if (_layout is not null && _layout.Version >= layout.Version)
        {
            return;
        }

        // A re-publish may change the layout; claims on seats that still exist carry over.
        var previous = _seats.Select((seat, i) => (seat.Id, Claim: _claims[i])).Where(c => c.Claim is not null).ToDictionary(c => c.Id, c => c.Claim!);
        await StateManager.SetStateAsync(LayoutKey, layout);
        Build(layout);
        foreach (var (id, claim) in previous)
        {
            if (_byId.TryGetValue(id, out var index))
            {
                SetClaim(index, claim);
            }
        }

        for (var row = 0; row < _rowStarts.Length - 1; row++)
        {
            await SaveRowAsync(row);
        }
    }

    public async Task<SectionHoldResult> HoldSeatsAsync(HoldSpecificSeats request)
    {
        await LoadAsync();
        if (Unavailable() is { } closed)
        {
            return closed;
        }

        var now = Now;
        var indexes = new List<int>(request.SeatIds.Count);
        var unknown = request.SeatIds.Where(id => !_byId.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
        {
            return new SectionHoldResult([], HoldFailures.UnknownSeat, unknown);
        }

        indexes.AddRange(request.SeatIds.Distinct().Select(id => _byId[id]));
        if (indexes.All(i => _claims[i] is { } claim && claim.HoldId == request.HoldId && claim.OrderId is null && claim.ExpiresAt > now))
        {
            return Held(indexes); // the same request again: already done
        }

        var taken = indexes.Where(i => !IsFree(i, now)).Select(i => _seats[i].Id).ToList();
        if (taken.Count > 0)
        {
            return new SectionHoldResult([], HoldFailures.SeatUnavailable, taken);
        }

        await ClaimAsync(indexes, request.HoldId, request.BuyerId, request.ExpiresAt);
        return Held(indexes);
    }

    public async Task<SectionHoldResult> HoldBestAsync(HoldBestSeats request)
    {
        await LoadAsync();
        if (Unavailable() is { } closed)
        {
            return closed;
        }

        var now = Now;
        // The same request again answers with the seats it got; seats this hold took by id are another part of it.
        var existing = IndexesOf(request.HoldId).Where(i => request.SpecificSeats?.Contains(_seats[i].Id) != true).ToList();
        if (existing.Count > 0)
        {
            return Held(existing);
        }

        for (var row = 0; row < _free.Length; row++)
        {
            var free = _free[row];
            var first = _rowStarts[row];
            for (var i = 0; i < free.Length; i++)
            {
                free[i] = IsFree(first + i, now) && (request.PriceZone is null || _seats[first + i].PriceZone == request.PriceZone);
            }
        }

        if (SeatPicker.Pick(_free, request.Quantity) is not var (pickedRow, start))
        {
            return new SectionHoldResult([], HoldFailures.NotEnoughSeats, []);
        }

        var indexes = Enumerable.Range(_rowStarts[pickedRow] + start, request.Quantity).ToList();
        await ClaimAsync(indexes, request.HoldId, request.BuyerId, request.ExpiresAt);
        return Held(indexes);
    }

    public async Task<SectionHoldResult> ExtendAsync(ExtendPart request)
    {
        await LoadAsync();
        var now = Now;
        var indexes = IndexesOf(request.HoldId);
        if (indexes.Count == 0 || indexes.Any(i => _claims[i]!.OrderId is null && _claims[i]!.ExpiresAt <= now))
        {
            return new SectionHoldResult([], HoldFailures.HoldExpired, []);
        }

        foreach (var i in indexes.Where(i => _claims[i]!.OrderId is null))
        {
            SetClaim(i, _claims[i]! with { ExpiresAt = request.ExpiresAt });
        }

        await SaveRowsAsync(indexes); // a later expiry: the reminder, due no later than the old one, re-arms when it fires
        return Held(indexes);
    }

    public async Task<IReadOnlyList<string>> ReleaseAsync(ReleasePart request)
    {
        await LoadAsync();
        return await ReleaseHeldAsync(request.HoldId, onlyIfExpired: false);
    }

    public async Task<SectionHoldResult> CommitAsync(CommitPart request)
    {
        await LoadAsync();
        var now = Now;
        var indexes = IndexesOf(request.HoldId);
        if (indexes.Count > 0 && indexes.All(i => _claims[i]!.OrderId == request.OrderId))
        {
            return Held(indexes); // committed before: the same answer
        }

        if (indexes.Count == 0 || indexes.Any(i => _claims[i]!.OrderId is null && _claims[i]!.ExpiresAt <= now))
        {
            return new SectionHoldResult([], HoldFailures.HoldExpired, []);
        }

        if (indexes.Any(i => _claims[i]!.OrderId is { } other && other != request.OrderId))
        {
            return new SectionHoldResult([], HoldFailures.AlreadySold, []);
        }

        foreach (var i in indexes)
        {
            SetClaim(i, _claims[i]! with { OrderId = request.OrderId });
        }

        await SaveRowsAsync(indexes);
        return Held(indexes);
    }

    public async Task<IReadOnlyList<string>> ReturnAsync(ReturnPart request)
    {
        await LoadAsync();
        var returned = IndexesOf(request.HoldId)
            .Where(i => _claims[i]!.OrderId == request.OrderId && (request.SeatIds is null || request.SeatIds.Contains(_seats[i].Id)))
            .ToList();
        foreach (var i in returned)
        {
            SetClaim(i, null);
        }

        await SaveRowsAsync(returned);
        return [.. returned.Select(i => _seats[i].Id)];
    }

    public async Task UncommitAsync(CommitPart request)
    {
        await LoadAsync();
        var indexes = IndexesOf(request.HoldId).Where(i => _claims[i]!.OrderId == request.OrderId).ToList();
        if (indexes.Count == 0)
        {
            return;
        }

        // Back to a plain hold, which the expiry reminder ends at its expiry (at once if that has passed).
        foreach (var i in indexes)
        {
            SetClaim(i, _claims[i]! with { OrderId = null });
        }

        await SaveRowsAsync(indexes);
        await ArmExpiryAsync(_claims[indexes[0]]!.ExpiresAt);
    }

    public async Task CancelAsync(CancelSales request)
    {
        await LoadAsync();
        _cancelled = true;
        await StateManager.SetStateAsync(CancelledKey, true);
        var holds = _claims.Where(c => c is { OrderId: null }).Select(c => c!.HoldId).Distinct().ToList();
        foreach (var hold in holds)
        {
            await ReleaseHeldAsync(hold, onlyIfExpired: false);
        }
    }

    public async Task<SectionStatus> GetStatusAsync()
    {
        await LoadAsync();
        var now = Now;
        var seats = new List<SeatState>(_seats.Length);
        var zones = new Dictionary<string, int[]>();
        for (var i = 0; i < _seats.Length; i++)
        {
            var seat = _seats[i];
            var status = seat.Blocked ? "blocked"
                : _claims[i] is { OrderId: not null } ? "sold"
                : _claims[i] is { } claim && claim.ExpiresAt > now ? "held"
                : "available";
            seats.Add(new SeatState(seat.Id, seat.Row, seat.Number, seat.PriceZone, seat.X, seat.Y, status, seat.Accessible, seat.Companion));
            var counts = zones.TryGetValue(seat.PriceZone, out var existing) ? existing : zones[seat.PriceZone] = new int[4];
            counts[status switch { "available" => 0, "held" => 1, "sold" => 2, _ => 3 }]++;
        }

        return new SectionStatus(_layout?.Code ?? "", _layout?.Name ?? "",
            [.. zones.Select(z => new ZoneCount(z.Key, _cancelled ? 0 : z.Value[0], z.Value[1], z.Value[2], z.Value[3]))], seats);
    }

    public async Task<IReadOnlyList<ZoneCount>> GetZoneCountsAsync() => (await GetStatusAsync()).Zones;

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName == OutboxReminder)
        {
            await FlushOutboxAsync();
        }
        else if (reminderName.StartsWith(ExpiryReminder, StringComparison.Ordinal) || reminderName.StartsWith(HoldExpiryReminder, StringComparison.Ordinal))
        {
            await ReleaseExpiredAsync();
        }
    }

    /// <summary>Frees the seats of every hold that expired (one <c>seats.released</c> each) and re-arms for the next expiry.</summary>
    private async Task ReleaseExpiredAsync()
    {
        await LoadAsync();
        var now = Now;
        _expiryDue = null;
        var expired = _claims.Where(c => c is { OrderId: null } && c.ExpiresAt <= now).Select(c => c!.HoldId).Distinct().ToList();
        foreach (var holdId in expired)
        {
            var zones = IndexesOf(holdId).Select(i => _seats[i].PriceZone).Distinct().ToList();
            var released = await ReleaseHeldAsync(holdId, onlyIfExpired: true);
            if (released.Count > 0)
            {
                await QueueEventAsync(SeatsReleased.Topic, new SeatsReleased(_layout!.EventId, holdId, released, [], zones, "expired", now));
            }
        }

        if (EarliestExpiry() is { } next)
        {
            await ArmExpiryAsync(next);
        }
    }

    /// <summary>Makes sure the expiry reminder fires by <paramref name="expiresAt"/>; a write only when it would fire later.</summary>
    private async Task ArmExpiryAsync(DateTimeOffset expiresAt)
    {
        if (_expiryDue is { } due && due <= expiresAt)
        {
            return;
        }

        _expiryDue = expiresAt;
        var left = expiresAt - Now;
        await RegisterReminderAsync(ExpiryReminder + expiresAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            left > TimeSpan.Zero ? left : TimeSpan.Zero, TimeSpan.Zero);
    }

    private DateTimeOffset? EarliestExpiry()
    {
        DateTimeOffset? earliest = null;
        foreach (var claim in _claims)
        {
            if (claim is { OrderId: null } && (earliest is null || claim.ExpiresAt < earliest))
            {
                earliest = claim.ExpiresAt;
            }
        }

        return earliest;
    }

    private SectionHoldResult? Unavailable() =>
        _layout is null ? new SectionHoldResult([], HoldFailures.EventNotOnSale, [])
        : _cancelled ? new SectionHoldResult([], HoldFailures.EventNotOnSale, [])
        : null;

    private bool IsFree(int index, DateTimeOffset now) => _takenUntil[index] <= now.UtcTicks;

    /// <summary>The one way a seat's claim changes, so <see cref="_takenUntil"/> and <see cref="_seatsByHold"/> follow it.</summary>
    private void SetClaim(int index, SeatClaim? claim)
    {
        if (_claims[index] is { } old && old.HoldId != claim?.HoldId)
        {
            if (--_seatsByHold[old.HoldId] == 0)
            {
                _seatsByHold.Remove(old.HoldId);
            }
        }

        if (claim is not null && _claims[index]?.HoldId != claim.HoldId)
        {
            _seatsByHold[claim.HoldId] = _seatsByHold.GetValueOrDefault(claim.HoldId) + 1;
        }

        _claims[index] = claim;
        _takenUntil[index] = _seats[index].Blocked || claim?.OrderId is not null ? long.MaxValue : claim?.ExpiresAt.UtcTicks ?? 0;
    }

    private List<int> IndexesOf(Guid holdId)
    {
        var indexes = new List<int>();
        if (!_seatsByHold.ContainsKey(holdId))
        {
            return indexes;
        }

        for (var i = 0; i < _claims.Length; i++)
        {
            if (_claims[i]?.HoldId == holdId)
            {
                indexes.Add(i);
            }
        }

        return indexes;
    }

    private async Task ClaimAsync(List<int> indexes, Guid holdId, Guid buyerId, DateTimeOffset expiresAt)
    {
        var claim = new SeatClaim(holdId, buyerId, expiresAt, null);
        foreach (var i in indexes)
        {
            SetClaim(i, claim);
        }

        await SaveRowsAsync(indexes);
        await ArmExpiryAsync(expiresAt);
    }

    private async Task<IReadOnlyList<string>> ReleaseHeldAsync(Guid holdId, bool onlyIfExpired)
    {
        var now = Now;
        var released = new List<int>();
        for (var i = 0; i < _claims.Length; i++)
        {
            if (_claims[i] is { OrderId: null } claim && claim.HoldId == holdId && (!onlyIfExpired || claim.ExpiresAt <= now))
            {
                SetClaim(i, null);
                released.Add(i);
            }
        }

        await SaveRowsAsync(released);
        return [.. released.Select(i => _seats[i].Id)];
    }

    private SectionHoldResult Held(IEnumerable<int> indexes) =>
        new([.. indexes.Select(i => new HeldSeat(_seats[i].Id, _layout!.Code, _seats[i].Row, _seats[i].Number, _seats[i].PriceZone))], null, []);

    private async Task SaveRowsAsync(IEnumerable<int> indexes)
    {
        foreach (var row in indexes.Select(RowOf).Distinct())
        {
            await SaveRowAsync(row);
        }
    }

    /// <summary>
    /// One key per row, holding only the row's holds, each once with the offsets of its seats: a hold rewrites a
    /// row's worth of holds (a kilobyte or so, stored inline and uncompressed), never the section.
    /// </summary>
    private Task SaveRowAsync(int row)
    {
        var holds = new List<RowClaim>();
        for (var i = _rowStarts[row]; i < _rowStarts[row + 1]; i++)
        {
            if (_claims[i] is not { } claim)
            {
                continue;
            }

            var offset = i - _rowStarts[row];
            var same = holds.FindIndex(h => h.HoldId == claim.HoldId && h.OrderId == claim.OrderId && h.ExpiresAt == claim.ExpiresAt);
            if (same >= 0)
            {
                holds[same] = holds[same] with { Seats = [.. holds[same].Seats, offset] };
            }
            else
            {
                holds.Add(new RowClaim(claim.HoldId, claim.BuyerId, claim.ExpiresAt, claim.OrderId, [offset]));
            }
        }

        return StateManager.SetStateAsync(RowKey(row), holds);
    }

    private int RowOf(int index)
    {
        var row = Array.BinarySearch(_rowStarts, index);
        return row >= 0 ? row : ~row - 1;
    }

    private async Task LoadAsync()
    {
        if (_layout is not null)
        {
            return;
        }

        var layout = await StateManager.TryGetStateAsync<SectionLayout>(LayoutKey);
        if (!layout.HasValue)
        {
            return;
        }

        Build(layout.Value);
        _cancelled = (await StateManager.TryGetStateAsync<bool>(CancelledKey)).Value;
        for (var row = 0; row < _rowStarts.Length - 1; row++)
        {
            var holds = await StateManager.TryGetStateAsync<List<RowClaim>>(RowKey(row));
            foreach (var hold in holds.HasValue ? holds.Value : [])
            {
                var claim = new SeatClaim(hold.HoldId, hold.BuyerId, hold.ExpiresAt, hold.OrderId);
                foreach (var offset in hold.Seats)
                {
                    SetClaim(_rowStarts[row] + offset, claim);
                }
            }
        }

        _expiryDue = EarliestExpiry();
    }

    private void Build(SectionLayout layout)
    {
        _layout = layout;
        var seats = new List<Seat>();
        var starts = new List<int>();
        foreach (var row in layout.Rows.OrderBy(r => r.Index))
        {
            starts.Add(seats.Count);
            seats.AddRange(row.Seats.Select(s => new Seat(s.Id, row.Label, s.Number, s.PriceZone, s.Blocked, s.Accessible, s.Companion, s.X, s.Y)));
        }

        starts.Add(seats.Count);
        _seats = [.. seats];
        _rowStarts = [.. starts];
        _byId = _seats.Select((seat, i) => (seat.Id, i)).ToDictionary(s => s.Id, s => s.i, StringComparer.Ordinal);
        _claims = new SeatClaim?[_seats.Length];
        _takenUntil = [.. _seats.Select(seat => seat.Blocked ? long.MaxValue : 0L)];
        _seatsByHold.Clear();
        _free = [.. Enumerable.Range(0, _rowStarts.Length - 1).Select(row => new bool[_rowStarts[row + 1] - _rowStarts[row]])];
    }

    private static string RowKey(int row) => "holds:" + row.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Seat(string Id, string Row, string Number, string PriceZone, bool Blocked, bool Accessible, bool Companion, double X, double Y);
}

/// <summary>Who has a seat: held until <see cref="ExpiresAt"/>, or sold once <see cref="OrderId"/> is set.</summary>
public sealed record SeatClaim(Guid HoldId, Guid BuyerId, DateTimeOffset ExpiresAt, Guid? OrderId);

/// <summary>A hold's seats in one row as stored (key <c>holds:{row index}</c>): <see cref="Seats"/> are offsets in the row.</summary>
public sealed record RowClaim(Guid HoldId, Guid BuyerId, DateTimeOffset ExpiresAt, Guid? OrderId, int[] Seats);
