using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Actors;

/// <summary>
/// One buyer's holds for one event. It makes a hold all or nothing across sections and general-admission types
/// (undoing the parts it got when a later part fails; a crash mid-way leaves parts that expire on their own), and
/// it is the one place that sees all of a buyer's concurrent holds, so it enforces the per-account limit.
/// </summary>
public sealed class BuyerHoldsActor(ActorHost host, [FromKeyedServices(InventoryModule.Id)] IEventPublisher publisher, IOptions<InventoryOptions> options)
    : PublishingActor(host, publisher), IBuyerHoldsActor, IRemindable
{
    private const string IndexKey = "index";
    private const string HoldKeyPrefix = "hold:";
    private static readonly TimeSpan PlanCacheFor = TimeSpan.FromSeconds(30);

    /// <summary>A commit needs this much time left on the hold, so that no part of it can expire while the others are committed.</summary>
    private static readonly TimeSpan CommitMargin = TimeSpan.FromSeconds(2);

    private Dictionary<Guid, BuyerHold>? _holds;
    private readonly HashSet<Guid> _changed = [];
    private bool _membershipChanged;
    private (EventPlan Plan, DateTimeOffset At)? _plan;

    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task<HoldOutcome> CreateHoldAsync(CreateHold request)
    {
        var holds = await HoldsAsync();
        var now = Now;
        if (holds.TryGetValue(request.HoldId, out var repeated))
        {
            if (repeated.Status == HoldStatus.Sold || repeated.ExpiresAt > now)
            {
                return HoldOutcome.Ok(View(repeated)); // the same request again
            }

            Drop(request.HoldId); // it expired: a retry after that is a new hold
        }

        var plan = await PlanAsync(request.EventId);
        if (plan is null)
        {
            return HoldOutcome.Fail(HoldFailures.EventNotFound, "No published event has this id.");
        }

        if (plan.Cancelled || (!request.Complimentary && (now < plan.SalesStartAt || now >= plan.SalesEndAt)))
        {
            return HoldOutcome.Fail(HoldFailures.EventNotOnSale, plan.Cancelled ? "The event was cancelled." : "Sales are closed at this time.");
        }

        var quantity = request.Seats.Distinct().Count() + (request.Best?.Quantity ?? 0) + request.GeneralAdmission.Sum(g => g.Quantity);
        if (quantity <= 0 || request.Best is { Quantity: <= 0 } || request.GeneralAdmission.Any(g => g.Quantity <= 0))
        {
            return HoldOutcome.Fail(HoldFailures.InvalidRequest, "Ask for at least one seat or place.");
        }

        if (quantity > plan.Limits.PerOrder && !request.Complimentary)
        {
            return HoldOutcome.Fail(HoldFailures.OrderLimit, $"At most {plan.Limits.PerOrder} tickets per order.");
        }

        Prune(now);
        var owned = holds.Values.Where(h => h.Status == HoldStatus.Sold || h.ExpiresAt > now).Sum(h => h.Seats.Count + h.GeneralAdmission.Sum(g => g.Quantity));
        if (owned + quantity > plan.Limits.PerAccount && !request.Complimentary)
        {
            return HoldOutcome.Fail(HoldFailures.AccountLimit, $"At most {plan.Limits.PerAccount} tickets per account; you already hold or bought {owned}.");
        }

        var expiresAt = now + options.Value.HoldDuration;
        var hold = new BuyerHold(request.HoldId, request.EventId, [], [], [], now, expiresAt, HoldStatus.Active, null);
        var failure = await AcquireAsync(plan, request, hold);
        if (failure is not null)
        {
            await ReleasePartsAsync(hold, "rolled_back");
            return failure;
        }

        Put(hold);
        await SaveAsync();
        return HoldOutcome.Ok(View(hold));
    }

    public async Task<HoldView?> GetHoldAsync(HoldRef hold) =>
        (await HoldsAsync()).TryGetValue(hold.HoldId, out var found) && (found.Status == HoldStatus.Sold || found.ExpiresAt > Now) ? View(found) : null;

    public async Task<HoldOutcome> ExtendHoldAsync(HoldRef hold)
    {
        var holds = await HoldsAsync();
        var now = Now;
        if (!holds.TryGetValue(hold.HoldId, out var found) || (found.Status == HoldStatus.Active && found.ExpiresAt <= now))
        {
            return HoldOutcome.Fail(HoldFailures.HoldNotFound);
        }

        if (found.Status == HoldStatus.Sold)
        {
            return HoldOutcome.Fail(HoldFailures.AlreadySold);
        }

        var expiresAt = Min(now + options.Value.HoldDuration, found.CreatedAt + options.Value.MaximumHoldLifetime);
        foreach (var part in found.Parts)
        {
            if (await Host.ProxyFactory.KeeperOf(found.EventId, part).ExtendAsync(new ExtendPart(found.HoldId, expiresAt)) is not null)
            {
                // Part of the hold is gone: the rest must not outlive it, extended, for nobody.
                await ReleasePartsAsync(found, "expired");
                Drop(found.HoldId);
                await SaveAsync();
                return HoldOutcome.Fail(HoldFailures.HoldExpired);
            }
        }

        var updated = found with { ExpiresAt = expiresAt };
        Put(updated);
        await SaveAsync();
        return HoldOutcome.Ok(View(updated));
    }

    public async Task<bool> ReleaseHoldAsync(HoldRef hold)
    {
        var holds = await HoldsAsync();
        if (!holds.TryGetValue(hold.HoldId, out var found) || found.Status != HoldStatus.Active)
        {
            return false;
        }

        var live = found.ExpiresAt > Now;
        await ReleasePartsAsync(found, "released");
        Drop(found.HoldId);
        if (live)
        {
            await QueueEventAsync(SeatsReleased.Topic, new SeatsReleased(found.EventId, found.HoldId, [.. found.Seats.Select(s => s.Id)], found.GeneralAdmission,
                [.. found.Seats.Select(s => s.PriceZone).Distinct()], "released", Now));
        }

        await SaveAsync();
        return live;
    }

    public async Task<HoldOutcome> CommitHoldAsync(CommitHold request)
    {
        var holds = await HoldsAsync();
        var now = Now;
        if (!holds.TryGetValue(request.HoldId, out var found))
        {
            return HoldOutcome.Fail(HoldFailures.HoldNotFound);
        }

        if (found.Status == HoldStatus.Sold)
        {
            return found.OrderId == request.OrderId ? HoldOutcome.Ok(View(found)) : HoldOutcome.Fail(HoldFailures.AlreadySold);
        }

        if (found.ExpiresAt - now < CommitMargin)
        {
            return HoldOutcome.Fail(HoldFailures.HoldExpired, "The hold expired (or is about to): hold the seats again.");
        }

        var commit = new CommitPart(found.HoldId, request.OrderId);
        var committed = new List<HoldPart>();
        foreach (var part in found.Parts)
        {
            var failure = await Host.ProxyFactory.KeeperOf(found.EventId, part).CommitAsync(commit);
            if (failure is not null)
            {
                // A part expired after all: its actor was busy for longer than the margin. Nothing may stay sold to an
                // order that hears no, so the parts already committed go back to being held.
                foreach (var done in committed)
                {
                    await Host.ProxyFactory.KeeperOf(found.EventId, done).UncommitAsync(commit);
                }

                return HoldOutcome.Fail(failure);
            }

            committed.Add(part);
        }

        var sold = found with { Status = HoldStatus.Sold, OrderId = request.OrderId };
        Put(sold);
        await QueueEventAsync(SeatsSold.Topic, new SeatsSold(found.EventId, found.HoldId, request.OrderId, BuyerIdOf(), found.Seats, found.GeneralAdmission, now));
        await SaveAsync();
        return HoldOutcome.Ok(View(sold));
    }

    public async Task<HoldOutcome> ReturnSeatsAsync(ReturnSeats request)
    {
        var holds = await HoldsAsync();
        if (!holds.TryGetValue(request.HoldId, out var found) || found.Status != HoldStatus.Sold)
        {
            return HoldOutcome.Fail(HoldFailures.HoldNotFound, "Only sold seats can be returned.");
        }

        if (found.OrderId != request.OrderId)
        {
            return HoldOutcome.Fail(HoldFailures.AlreadySold, "The seats were sold to another order.");
        }

        var everything = request.SeatIds is null && request.GeneralAdmission is null;
        var seats = found.Seats.Where(s => everything || request.SeatIds?.Contains(s.Id) == true).ToList();
        var places = new List<GeneralAdmissionQuantity>();
        foreach (var part in found.Parts)
        {
            if (await Host.ProxyFactory.KeeperOf(found.EventId, part).ReturnAsync(found, request, seats) is { } returned)
            {
                places.Add(returned);
            }
        }

        if (seats.Count == 0 && places.Sum(p => p.Quantity) == 0)
        {
            return HoldOutcome.Ok(View(found)); // nothing (more) to return
        }

        var left = found with
        {
            Seats = [.. found.Seats.Where(s => !seats.Contains(s))],
            GeneralAdmission = [.. found.GeneralAdmission
                .Select(g => g with { Quantity = g.Quantity - places.Where(p => p.TicketTypeId == g.TicketTypeId).Sum(p => p.Quantity) })
                .Where(g => g.Quantity > 0)],
        };
        Put(left);
        await QueueEventAsync(SeatsReleased.Topic, new SeatsReleased(found.EventId, found.HoldId, [.. seats.Select(s => s.Id)], places,
            [.. seats.Select(s => s.PriceZone).Distinct()], "returned", Now));
        await SaveAsync();
        return HoldOutcome.Ok(View(left));
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName == OutboxReminder)
        {
            await FlushOutboxAsync();
        }
    }

    /// <summary>Takes every part of the hold; returns the failure of the first part that cannot be had.</summary>
    private async Task<HoldOutcome?> AcquireAsync(EventPlan plan, CreateHold request, BuyerHold hold)
    {
        var bySection = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var seat in request.Seats.Distinct())
        {
            var section = plan.Sections.Where(s => seat.StartsWith(s.Code + "-", StringComparison.Ordinal)).MaxBy(s => s.Code.Length);
            if (section is null)
            {
                return HoldOutcome.Fail(HoldFailures.UnknownSeat, $"No seat '{seat}' in this event.");
            }

            (bySection.TryGetValue(section.Code, out var list) ? list : bySection[section.Code] = []).Add(seat);
        }

        foreach (var (code, seats) in bySection)
        {
            var result = await Host.ProxyFactory.SectionOf(plan.EventId, code).HoldSeatsAsync(new HoldSpecificSeats(hold.HoldId, BuyerIdOf(), seats, hold.ExpiresAt));
            if (!result.Succeeded)
            {
                return HoldOutcome.Fail(result.Failure!, result.Conflicts.Count > 0 ? "Taken or unknown: " + string.Join(", ", result.Conflicts) : null);
            }

            hold.Parts.Add(HoldPart.InSection(code));
            hold.Seats.AddRange(result.Seats);
        }

        if (request.Best is { } best)
        {
            var candidates = plan.Sections
                .Where(s => best.Section is null || s.Code == best.Section)
                .Where(s => best.PriceZone is null || s.PriceZones.Contains(best.PriceZone))
                .ToList();
            if (candidates.Count == 0)
            {
                return HoldOutcome.Fail(HoldFailures.UnknownSeat, "No section of this event matches the section or price zone asked for.");
            }

            SectionHoldResult? taken = null;
            foreach (var section in candidates)
            {
                var result = await Host.ProxyFactory.SectionOf(plan.EventId, section.Code).HoldBestAsync(new HoldBestSeats(hold.HoldId, BuyerIdOf(), best.Quantity, best.PriceZone, hold.ExpiresAt,
                    [.. hold.Seats.Where(s => s.Section == section.Code).Select(s => s.Id)]));
                if (result.Succeeded)
                {
                    taken = result;
                    hold.Parts.Add(HoldPart.InSection(section.Code));
                    hold.Seats.AddRange(result.Seats);
                    break;
                }

                if (result.Failure == HoldFailures.EventNotOnSale)
                {
                    _plan = null; // the event changed since the plan was read
                    return HoldOutcome.Fail(HoldFailures.EventNotOnSale, "The event was cancelled.");
                }
            }

            if (taken is null)
            {
                return HoldOutcome.Fail(HoldFailures.NotEnoughSeats, $"No {best.Quantity} adjacent seats are available there now.");
            }
        }

        // One claim per ticket type and hold: a type named twice is one request for the sum (the actor answers a hold id it knows with what it has).
        foreach (var place in request.GeneralAdmission.GroupBy(g => g.TicketTypeId).Select(g => new GeneralAdmissionQuantity(g.Key, g.Sum(p => p.Quantity))))
        {
            if (!plan.TicketTypes.Any(t => t.Id == place.TicketTypeId && t.Kind == PublishedTicketType.GeneralAdmission))
            {
                return HoldOutcome.Fail(HoldFailures.InvalidRequest, $"No general-admission ticket type {place.TicketTypeId} in this event.");
            }

            var result = await Host.ProxyFactory.GeneralAdmissionOf(plan.EventId, place.TicketTypeId).HoldAsync(new HoldPlaces(hold.HoldId, BuyerIdOf(), place.Quantity, hold.ExpiresAt));
            if (!result.Succeeded)
            {
                return HoldOutcome.Fail(result.Failure!, $"{result.Remaining} place(s) left.");
            }

            hold.Parts.Add(HoldPart.OfType(place.TicketTypeId));
            hold.GeneralAdmission.Add(place);
        }

        return null;
    }

    private async Task ReleasePartsAsync(BuyerHold hold, string reason)
    {
        foreach (var part in hold.Parts)
        {
            await Host.ProxyFactory.KeeperOf(hold.EventId, part).ReleaseAsync(new ReleasePart(hold.HoldId, reason));
        }
    }

    private async Task<EventPlan?> PlanAsync(Guid eventId)
    {
        if (_plan is { } cached && Now - cached.At < PlanCacheFor)
        {
            return cached.Plan;
        }

        var plan = await Host.ProxyFactory.EventOf(eventId).GetPlanAsync();
        _plan = plan is null ? null : (plan, Now);
        return plan;
    }

    /// <summary>Forgets holds that expired an hour ago: the sections released them long since.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var stale in _holds!.Values.Where(h => h.Status == HoldStatus.Active && h.ExpiresAt < now - TimeSpan.FromHours(1)).Select(h => h.HoldId).ToList())
        {
            Drop(stale);
        }
    }

    /// <summary>
    /// The buyer's holds: one state key per hold and an index of their ids, so a new hold writes its own few hundred
    /// bytes and the index, not every hold the buyer ever had.
    /// </summary>
    private async Task<Dictionary<Guid, BuyerHold>> HoldsAsync()
    {
        if (_holds is not null)
        {
            return _holds;
        }

        var holds = new Dictionary<Guid, BuyerHold>();
        foreach (var id in (await StateManager.TryGetStateAsync<List<Guid>>(IndexKey)).Value ?? [])
        {
            if ((await StateManager.TryGetStateAsync<BuyerHold>(HoldKey(id))) is { HasValue: true } hold)
            {
                holds[id] = hold.Value;
            }
        }

        return _holds = holds;
    }

    private void Put(BuyerHold hold)
    {
        _membershipChanged |= !_holds!.ContainsKey(hold.HoldId);
        _holds[hold.HoldId] = hold;
        _changed.Add(hold.HoldId);
    }

    private void Drop(Guid holdId)
    {
        if (_holds!.Remove(holdId))
        {
            _membershipChanged = true;
            _changed.Add(holdId);
        }
    }

    /// <summary>Writes the holds this turn changed, and the index when holds came or went.</summary>
    private async Task SaveAsync()
    {
        foreach (var id in _changed)
        {
            if (_holds!.TryGetValue(id, out var hold))
            {
                await StateManager.SetStateAsync(HoldKey(id), hold);
            }
            else
            {
                await StateManager.TryRemoveStateAsync(HoldKey(id));
            }
        }

        if (_membershipChanged)
        {
            await StateManager.SetStateAsync(IndexKey, _holds!.Keys.ToList());
        }

        _changed.Clear();
        _membershipChanged = false;
    }

    private static string HoldKey(Guid holdId) => HoldKeyPrefix + holdId.ToString("N");

    private HoldView View(BuyerHold hold) =>
        new(hold.HoldId, hold.EventId, BuyerIdOf(), hold.Status, hold.Seats, hold.GeneralAdmission, hold.ExpiresAt, hold.OrderId) { HeldAt = hold.CreatedAt };

    private Guid BuyerIdOf() => Guid.ParseExact(Id.Id[(Id.Id.IndexOf('.', StringComparison.Ordinal) + 1)..], "N");

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

public sealed record BuyerHold(Guid HoldId, Guid EventId, List<HoldPart> Parts, List<HeldSeat> Seats, List<GeneralAdmissionQuantity> GeneralAdmission,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, HoldStatus Status, Guid? OrderId);
