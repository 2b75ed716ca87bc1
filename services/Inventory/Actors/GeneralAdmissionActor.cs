using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Actors;

/// <summary>
/// The places of one general-admission ticket type: a capacity, never exceeded. Holds are kept in 32 buckets
/// (one state key each), so a hold rewrites one small bucket rather than every hold of the event.
/// </summary>
public sealed class GeneralAdmissionActor(ActorHost host, [FromKeyedServices(InventoryModule.Id)] IEventPublisher publisher)
    : PublishingActor(host, publisher), IGeneralAdmissionActor, IRemindable
{
    private const int Buckets = 32;
    private const string LayoutKey = "layout";
    private const string CancelledKey = "cancelled";
    private const string ExpiryReminder = "expire:";

    private GeneralAdmissionLayout? _layout;
    private Dictionary<Guid, PlaceClaim> _claims = [];
    private bool _cancelled;

    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task InitializeAsync(GeneralAdmissionLayout layout)
    {
        await LoadAsync();
        if (_layout is null || _layout.Version < layout.Version)
        {
            _layout = layout;
            await StateManager.SetStateAsync(LayoutKey, layout);
        }
    }

    public async Task<GeneralAdmissionHoldResult> HoldAsync(HoldPlaces request)
    {
        await LoadAsync();
        if (_layout is null || _cancelled)
        {
            return new GeneralAdmissionHoldResult(0, HoldFailures.EventNotOnSale, 0);
        }

        var now = Now;
        if (_claims.TryGetValue(request.HoldId, out var existing) && existing.ExpiresAt > now)
        {
            return new GeneralAdmissionHoldResult(existing.Quantity, null, Remaining(now));
        }

        var remaining = Remaining(now);
        if (remaining < request.Quantity)
        {
            return new GeneralAdmissionHoldResult(0, remaining == 0 ? HoldFailures.SoldOut : HoldFailures.NotEnoughSeats, remaining);
        }

        await SetAsync(request.HoldId, new PlaceClaim(request.BuyerId, request.Quantity, request.ExpiresAt, null));
        await RegisterReminderAsync(ExpiryReminder + request.HoldId, null, request.ExpiresAt - now, TimeSpan.Zero);
        return new GeneralAdmissionHoldResult(request.Quantity, null, remaining - request.Quantity);
    }

    public async Task<GeneralAdmissionHoldResult> ExtendAsync(ExtendPart request)
    {
        await LoadAsync();
        var now = Now;
        if (!_claims.TryGetValue(request.HoldId, out var claim) || (claim.OrderId is null && claim.ExpiresAt <= now))
        {
            return new GeneralAdmissionHoldResult(0, HoldFailures.HoldExpired, Remaining(now));
        }

        if (claim.OrderId is null)
        {
            await SetAsync(request.HoldId, claim with { ExpiresAt = request.ExpiresAt });
            await RegisterReminderAsync(ExpiryReminder + request.HoldId, null, request.ExpiresAt - now, TimeSpan.Zero);
        }

        return new GeneralAdmissionHoldResult(claim.Quantity, null, Remaining(now));
    }

    public async Task<int> ReleaseAsync(ReleasePart request)
    {
        await LoadAsync();
        await UnregisterReminderAsync(ExpiryReminder + request.HoldId);
        return await ReleaseHeldAsync(request.HoldId, onlyIfExpired: false);
    }

    public async Task<GeneralAdmissionHoldResult> CommitAsync(CommitPart request)
    {
        await LoadAsync();
        var now = Now;
        if (!_claims.TryGetValue(request.HoldId, out var claim) || (claim.OrderId is null && claim.ExpiresAt <= now))
        {
            return new GeneralAdmissionHoldResult(0, HoldFailures.HoldExpired, Remaining(now));
        }

        if (claim.OrderId is { } sold)
        {
            return sold == request.OrderId
                ? new GeneralAdmissionHoldResult(claim.Quantity, null, Remaining(now))
                : new GeneralAdmissionHoldResult(0, HoldFailures.AlreadySold, Remaining(now));
        }

        await SetAsync(request.HoldId, claim with { OrderId = request.OrderId });
        await UnregisterReminderAsync(ExpiryReminder + request.HoldId);
        return new GeneralAdmissionHoldResult(claim.Quantity, null, Remaining(now));
    }

    public async Task<int> ReturnAsync(ReturnPart request)
    {
        await LoadAsync();
        if (!_claims.TryGetValue(request.HoldId, out var claim) || claim.OrderId != request.OrderId)
        {
            return 0;
        }

        var returned = Math.Min(request.Quantity ?? claim.Quantity, claim.Quantity);
        if (returned == claim.Quantity)
        {
            _claims.Remove(request.HoldId);
            await SaveBucketAsync(BucketOf(request.HoldId));
        }
        else
        {
            await SetAsync(request.HoldId, claim with { Quantity = claim.Quantity - returned });
        }

        return returned;
    }

    public async Task UncommitAsync(CommitPart request)
    {
        await LoadAsync();
        if (!_claims.TryGetValue(request.HoldId, out var claim) || claim.OrderId != request.OrderId)
        {
            return;
        }

        // Back to a plain hold, which its reminder ends at its expiry (at once if that has passed).
        await SetAsync(request.HoldId, claim with { OrderId = null });
        var left = claim.ExpiresAt - Now;
        await RegisterReminderAsync(ExpiryReminder + request.HoldId, null, left > TimeSpan.Zero ? left : TimeSpan.Zero, TimeSpan.Zero);
    }

    public async Task CancelAsync(CancelSales request)
    {
        await LoadAsync();
        _cancelled = true;
        await StateManager.SetStateAsync(CancelledKey, true);
        foreach (var hold in _claims.Where(c => c.Value.OrderId is null).Select(c => c.Key).ToList())
        {
            await ReleaseHeldAsync(hold, onlyIfExpired: false);
            await UnregisterReminderAsync(ExpiryReminder + hold);
        }
    }

    public async Task<GeneralAdmissionStatus> GetStatusAsync()
    {
        await LoadAsync();
        var now = Now;
        var held = _claims.Values.Where(c => c.OrderId is null && c.ExpiresAt > now).Sum(c => c.Quantity);
        var sold = _claims.Values.Where(c => c.OrderId is not null).Sum(c => c.Quantity);
        return new GeneralAdmissionStatus(_layout?.TicketTypeId ?? Guid.Empty, _layout?.Name ?? "", _layout?.Capacity ?? 0,
            _cancelled ? 0 : Remaining(now), held, sold);
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName == OutboxReminder)
        {
            await FlushOutboxAsync();
        }
        else if (reminderName.StartsWith(ExpiryReminder, StringComparison.Ordinal) && Guid.TryParse(reminderName[ExpiryReminder.Length..], out var holdId))
        {
            await LoadAsync();
            var released = await ReleaseHeldAsync(holdId, onlyIfExpired: true);
            if (released > 0 && _layout is not null)
            {
                await QueueEventAsync(SeatsReleased.Topic,
                    new SeatsReleased(_layout.EventId, holdId, [], [new GeneralAdmissionQuantity(_layout.TicketTypeId, released)], [], "expired", Now));
            }
        }
    }

    private int Remaining(DateTimeOffset now) =>
        Math.Max(0, (_layout?.Capacity ?? 0) - _claims.Values.Where(c => c.OrderId is not null || c.ExpiresAt > now).Sum(c => c.Quantity));

    private async Task<int> ReleaseHeldAsync(Guid holdId, bool onlyIfExpired)
    {
        if (!_claims.TryGetValue(holdId, out var claim) || claim.OrderId is not null || (onlyIfExpired && claim.ExpiresAt > Now))
        {
            return 0;
        }

        _claims.Remove(holdId);
        await SaveBucketAsync(BucketOf(holdId));
        return claim.Quantity;
    }

    private async Task SetAsync(Guid holdId, PlaceClaim claim)
    {
        _claims[holdId] = claim;
        await SaveBucketAsync(BucketOf(holdId));
    }

    private Task SaveBucketAsync(int bucket) =>
        StateManager.SetStateAsync(BucketKey(bucket), _claims.Where(c => BucketOf(c.Key) == bucket).ToDictionary(c => c.Key, c => c.Value));

    private async Task LoadAsync()
    {
        if (_layout is not null)
        {
            return;
        }

        var layout = await StateManager.TryGetStateAsync<GeneralAdmissionLayout>(LayoutKey);
        if (!layout.HasValue)
        {
            return;
        }

        _layout = layout.Value;
        _cancelled = (await StateManager.TryGetStateAsync<bool>(CancelledKey)).Value;
        _claims = [];
        for (var bucket = 0; bucket < Buckets; bucket++)
        {
            var claims = await StateManager.TryGetStateAsync<Dictionary<Guid, PlaceClaim>>(BucketKey(bucket));
            if (claims.HasValue)
            {
                foreach (var (hold, claim) in claims.Value)
                {
                    _claims[hold] = claim;
                }
            }
        }
    }

    private static int BucketOf(Guid holdId) => holdId.ToByteArray()[15] % Buckets;

    private static string BucketKey(int bucket) => "holds:" + bucket.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record PlaceClaim(Guid BuyerId, int Quantity, DateTimeOffset ExpiresAt, Guid? OrderId);
}
