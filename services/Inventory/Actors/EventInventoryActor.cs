using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Actors;

/// <summary>
/// One event's plan (what is for sale, when, within which limits), made from <c>event.published</c>; it creates
/// the section and general-admission actors and tells them when the event is cancelled.
/// </summary>
public sealed class EventInventoryActor(ActorHost host) : Actor(host), IEventInventoryActor
{
    private const string PlanKey = "plan";

    private EventPlan? _plan;

    public async Task InitializeAsync(EventPublished published)
    {
        var plan = await PlanAsync();
        if (plan is not null && plan.Version >= published.Version)
        {
            return;
        }

        foreach (var section in published.Sections)
        {
            await Host.ProxyFactory.SectionOf(published.EventId, section.Code).InitializeAsync(new SectionLayout(published.EventId, section.Code, section.Name, section.Rows, published.Version));
        }

        foreach (var type in published.TicketTypes.Where(t => t.Kind == PublishedTicketType.GeneralAdmission))
        {
            await Host.ProxyFactory.GeneralAdmissionOf(published.EventId, type.Id).InitializeAsync(
                new GeneralAdmissionLayout(published.EventId, type.Id, type.Name, type.Capacity ?? 0, published.Version));
        }

        _plan = new EventPlan(published.EventId, published.OrganizerId, published.Name, Cancelled: plan?.Cancelled ?? false,
            published.SalesStartAt, published.SalesEndAt, published.Limits,
            [.. published.Sections.Select(s => new PlannedSection(s.Code, s.Name, [.. s.Rows.SelectMany(r => r.Seats).Select(seat => seat.PriceZone).Distinct()]))],
            published.TicketTypes, published.Version, published.Currency, published.PriceZones);
        await StateManager.SetStateAsync(PlanKey, _plan);
    }

    public async Task CancelAsync(EventCancelled cancelled)
    {
        var plan = await PlanAsync();
        if (plan is null || plan.Cancelled)
        {
            return;
        }

        foreach (var section in plan.Sections)
        {
            await Host.ProxyFactory.SectionOf(plan.EventId, section.Code).CancelAsync(new CancelSales(cancelled.Reason));
        }

        foreach (var type in plan.TicketTypes.Where(t => t.Kind == PublishedTicketType.GeneralAdmission))
        {
            await Host.ProxyFactory.GeneralAdmissionOf(plan.EventId, type.Id).CancelAsync(new CancelSales(cancelled.Reason));
        }

        _plan = plan with { Cancelled = true };
        await StateManager.SetStateAsync(PlanKey, _plan);
    }

    public Task<EventPlan?> GetPlanAsync() => PlanAsync();

    private async Task<EventPlan?> PlanAsync() => _plan ??= (await StateManager.TryGetStateAsync<EventPlan>(PlanKey)).Value;
}
