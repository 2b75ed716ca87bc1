using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Actors;

/// <summary>
/// An event's waitlist, first come first served. When seats come back (<c>seats.released</c>), the first fans in
/// line whose wish matches get them held in their name: that hold is the offer, time-boxed by the hold's expiry.
/// An offer that expires releases its seats again, and the release offers them to the next in line.
/// </summary>
public sealed class WaitlistActor(ActorHost host, [FromKeyedServices(InventoryModule.Id)] IEventPublisher publisher)
    : PublishingActor(host, publisher), IWaitlistActor, IRemindable
{
    private const string EntriesKey = "entries";

    /// <summary>How many fans one release is offered to at most (each try is one best-available search).</summary>
    private const int OffersTriedPerRelease = 20;

    private List<WaitlistEntry>? _entries;

    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task<WaitlistPosition> JoinAsync(JoinWaitlist request)
    {
        var entries = await EntriesAsync();
        var existing = entries.FindIndex(e => e.FanId == request.FanId && e.Status is WaitlistEntry.Waiting or WaitlistEntry.Offered);
        if (existing >= 0)
        {
            entries[existing] = entries[existing] with { PriceZone = request.PriceZone, Quantity = request.Quantity, TicketTypeId = request.TicketTypeId };
        }
        else
        {
            entries.Add(new WaitlistEntry(request.FanId, request.PriceZone, request.Quantity, Now, WaitlistEntry.Waiting, null, null, request.TicketTypeId));
        }

        await SaveAsync();
        return Position(entries, request.FanId)!;
    }

    public async Task<bool> LeaveAsync(FanRef fan)
    {
        var entries = await EntriesAsync();
        var removed = entries.RemoveAll(e => e.FanId == fan.FanId && e.Status == WaitlistEntry.Waiting);
        await SaveAsync();
        return removed > 0;
    }

    public async Task<WaitlistPosition?> GetAsync(FanRef fan) => Position(await EntriesAsync(), fan.FanId);

    public async Task OnSeatsReleasedAsync(SeatsReleased released)
    {
        var entries = await EntriesAsync();
        var lapsed = entries.FindIndex(e => e.Status == WaitlistEntry.Offered && e.HoldId == released.HoldId);
        if (lapsed >= 0)
        {
            entries[lapsed] = entries[lapsed] with { Status = WaitlistEntry.Lapsed };
        }

        var tried = 0;
        for (var i = 0; i < entries.Count && tried < OffersTriedPerRelease; i++)
        {
            var entry = entries[i];
            // A fan waiting for general admission is offered places of their type only when that type's places came back;
            // one waiting for seats, only when seats did.
            var matches = entry.TicketTypeId is { } wanted
                ? released.GeneralAdmission.Any(g => g.TicketTypeId == wanted)
                : released.Seats.Count > 0 && (entry.PriceZone is null || released.PriceZones.Count == 0 || released.PriceZones.Contains(entry.PriceZone));
            if (entry.Status != WaitlistEntry.Waiting || !matches)
            {
                continue;
            }

            tried++;
            var holdId = Guid.NewGuid();
            var outcome = await Host.ProxyFactory.BuyerOf(released.EventId, entry.FanId).CreateHoldAsync(entry.TicketTypeId is { } typeId
                ? new CreateHold(holdId, released.EventId, entry.FanId, [], null, [new GeneralAdmissionQuantity(typeId, entry.Quantity)])
                : new CreateHold(holdId, released.EventId, entry.FanId, [], new BestAvailable(entry.Quantity, null, entry.PriceZone), []));
            if (outcome.Hold is { } hold)
            {
                entries[i] = entry with { Status = WaitlistEntry.Offered, HoldId = hold.HoldId, OfferExpiresAt = hold.ExpiresAt };
                await QueueEventAsync(WaitlistOffered.Topic, new WaitlistOffered(released.EventId, entry.FanId, hold.HoldId, hold.Seats, hold.ExpiresAt,
                    hold.GeneralAdmission.Count > 0 ? hold.GeneralAdmission : null));
            }
            else if (outcome.Failure is HoldFailures.AccountLimit or HoldFailures.OrderLimit)
            {
                entries[i] = entry with { Status = WaitlistEntry.Lapsed }; // they can no longer buy more: the next fan's turn
            }
            else if (outcome.Failure is HoldFailures.EventNotOnSale or HoldFailures.EventNotFound)
            {
                break;
            }
        }

        await SaveAsync();
    }

    public async Task OnSeatsSoldAsync(SeatsSold sold)
    {
        var entries = await EntriesAsync();
        var index = entries.FindIndex(e => e.HoldId == sold.HoldId);
        if (index >= 0)
        {
            entries[index] = entries[index] with { Status = WaitlistEntry.Purchased };
            await SaveAsync();
        }
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName == OutboxReminder)
        {
            await FlushOutboxAsync();
        }
    }

    private WaitlistPosition? Position(List<WaitlistEntry> entries, Guid fanId)
    {
        var entry = entries.LastOrDefault(e => e.FanId == fanId);
        if (entry is null)
        {
            return null;
        }

        var ahead = entries.TakeWhile(e => e.FanId != fanId).Count(e => e.Status == WaitlistEntry.Waiting);
        var now = Now;
        var status = entry.Status == WaitlistEntry.Offered && entry.OfferExpiresAt <= now ? WaitlistEntry.Lapsed : entry.Status;
        return new WaitlistPosition(fanId, status, entry.Status == WaitlistEntry.Waiting ? ahead + 1 : null, entry.PriceZone, entry.Quantity, entry.JoinedAt,
            status == WaitlistEntry.Offered ? entry.HoldId : null, status == WaitlistEntry.Offered ? entry.OfferExpiresAt : null, entry.TicketTypeId);
    }

    private async Task<List<WaitlistEntry>> EntriesAsync() =>
        _entries ??= (await StateManager.TryGetStateAsync<List<WaitlistEntry>>(EntriesKey)).Value ?? [];

    private Task SaveAsync() => StateManager.SetStateAsync(EntriesKey, _entries!);
}

/// <summary><see cref="TicketTypeId"/> is set for a fan waiting for general-admission places of that type (null in entries saved before it existed: seats).</summary>
public sealed record WaitlistEntry(Guid FanId, string? PriceZone, int Quantity, DateTimeOffset JoinedAt, string Status, Guid? HoldId, DateTimeOffset? OfferExpiresAt,
    Guid? TicketTypeId = null)
{
    public const string Waiting = "waiting";
    public const string Offered = "offered";
    public const string Lapsed = "lapsed";
    public const string Purchased = "purchased";
}
