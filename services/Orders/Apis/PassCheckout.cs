using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Apis;

/// <summary>
/// Checking out a pass hold (docs/adr/0023): one order over every event of the pass, one line per event and place, the
/// pass's price split over the events by largest remainder, paid once through the purchase saga like any order.
/// </summary>
internal static class PassCheckout
{
    /// <summary><see cref="PassHoldId"/>: the <c>passHoldId</c> inventory answered for the pass hold.</summary>
    public sealed record PassCheckoutRequest([property: Required] Guid? PassId, [property: Required] Guid? PassHoldId);

    /// <summary>What orders needs of catalog's pass (its public <c>GET /api/passes/{id}</c>).</summary>
    private sealed record CatalogPass(Guid Id, Guid OrganizerId, string Name, string Kind, string? PriceZone, long PriceMinor, string Currency, bool Public,
        IReadOnlyList<CatalogPassEvent> Events);

    private sealed record CatalogPassEvent(Guid EventId, Guid TicketTypeId);

    public static async Task<Accepted<OrderResponse>> CheckoutPass(PassCheckoutRequest request, Caller caller, OrdersDbContext db, IActorProxyFactory actors,
        [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, [FromKeyedServices(OrdersModule.Id)] IServiceInvoker invoker,
        IOptions<OrdersOptions> options, TimeProvider time, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        OrdersProblems.RequireIdempotencyKey(idempotencyKey, "a checkout");
        var buyer = caller.RequiredUserId;
        var (passId, passHoldId) = (request.PassId!.Value, request.PassHoldId!.Value);
        if (await OrdersApi.FindByKeyAsync(db, buyer, idempotencyKey, cancellationToken) is { } repeated)
        {
            return repeated.HoldId == passHoldId ? await OrdersApi.AcceptedAsync(db, workflows, repeated, cancellationToken) : throw OrdersProblems.IdempotencyKeyReused();
        }

        // The pass is catalog's: read where fans read it, so a pass not yet public cannot be bought either.
        var pass = await ReadPassAsync(invoker, passId, cancellationToken) ?? throw OrdersProblems.PassNotFound();
        var eventIds = pass.Events.Select(e => e.EventId).ToList();
        var saleEvents = await db.Events.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        if (saleEvents.Count != eventIds.Count || saleEvents.Values.Any(e => e.Cancelled || e.OrganizerId != pass.OrganizerId))
        {
            throw OrdersProblems.EventNotOnSale();
        }

        if (await db.Orders.AnyAsync(o => o.HoldId == passHoldId, cancellationToken))
        {
            return await OrdersApi.RacedAsync(db, workflows, buyer, idempotencyKey, passHoldId, cancellationToken);
        }

        // Each part gets a full hold duration again, as a single event's hold does at checkout; paying must end before the first part runs out.
        var parts = new List<(CatalogPassEvent PassEvent, HoldView Hold)>();
        foreach (var passEvent in pass.Events)
        {
            var extended = await actors.BuyerOf(passEvent.EventId, buyer).ExtendHoldAsync(new HoldRef(PassHolds.PartId(passHoldId, passEvent.EventId)));
            parts.Add((passEvent, extended.Hold ?? throw (extended.Failure == HoldFailures.HoldNotFound ? OrdersProblems.HoldNotFound() : OrdersProblems.HoldNotActive())));
        }

        var payBy = parts.Min(p => p.Hold.ExpiresAt) - options.Value.PaymentMargin;
        if (payBy <= time.GetUtcNow())
        {
            throw OrdersProblems.HoldNotActive();
        }

        var perEvent = new List<List<OrderLine>>();
        foreach (var (passEvent, hold) in parts)
        {
            var lines = await OrdersApi.LinesAsync(db, saleEvents[passEvent.EventId], hold, cancellationToken);
            if (lines.Count == 0 || lines.Any(l => l.TicketTypeId != passEvent.TicketTypeId))
            {
                throw OrdersProblems.NotThisPass($"The hold of event {passEvent.EventId} is not of the pass's ticket type there.");
            }

            perEvent.Add(lines);
        }

        if (perEvent.Select(lines => lines.Count).Distinct().Count() != 1
            || (pass.Kind == "reserved" && perEvent.Select(lines => string.Join(',', lines.Select(l => l.SeatId))).Distinct().Count() != 1))
        {
            throw OrdersProblems.NotThisPass("A pass holds the same seats (or as many places) at every one of its events.");
        }

        // Each place's pass price is split over the events in proportion to their own prices (evenly if all are free), so
        // each event's line carries its exact share into reports, the ledger and a refund of that event alone.
        var shares = Pricing.Allocate(pass.PriceMinor, [.. perEvent.Select(lines => lines[0].FaceValue)]);
        var ordered = new List<OrderLine>();
        for (var e = 0; e < perEvent.Count; e++)
        {
            foreach (var line in perEvent[e])
            {
                (line.FaceValue, line.EventId, line.PassId) = (shares[e], parts[e].PassEvent.EventId, pass.Id);
                ordered.Add(line);
            }
        }

        var first = saleEvents[eventIds[0]];
        var schedule = await db.FeeSchedules.AsNoTracking().SingleOrDefaultAsync(f => f.OrganizerId == pass.OrganizerId, cancellationToken);
        var priced = Pricing.Price([.. ordered.Select(l => l.FaceValue)], SaleTerms.FeesOf(schedule, options.Value), null, SaleTerms.TaxRateOf(first, options.Value));

        var now = time.GetUtcNow();
        var order = new Order
        {
            Id = OrdersApi.OrderId(buyer, idempotencyKey),
            Number = OrderNumbers.New(),
            BuyerId = buyer,
            OrganizerId = pass.OrganizerId,
            EventId = first.Id,
            HoldId = passHoldId,
            IdempotencyKey = idempotencyKey,
            Status = OrderStatus.PendingPayment,
            Currency = first.Currency,
            FaceValue = priced.FaceValue,
            Discount = priced.Discount,
            Fees = priced.Fees,
            Tax = priced.Tax,
            Total = priced.Total,
            PassId = pass.Id,
            PassName = pass.Name,
            PayBy = payBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        for (var i = 0; i < ordered.Count; i++)
        {
            var (line, price) = (ordered[i], priced.Lines[i]);
            line.OrderId = order.Id;
            line.LineNumber = i + 1;
            (line.Discount, line.Fees, line.Tax) = (price.Discount, price.Fees, price.Tax);
            order.Lines.Add(line);
        }

        db.Orders.Add(order);
        db.Publish(OrderPlaced.Topic, new OrderPlaced(order.Id, order.Number, buyer, order.EventId, order.Total, order.Currency, order.PayBy, now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            return await OrdersApi.RacedAsync(db, workflows, buyer, idempotencyKey, passHoldId, cancellationToken);
        }

        return await OrdersApi.AcceptedAsync(db, workflows, order, cancellationToken);
    }

    private static async Task<CatalogPass?> ReadPassAsync(IServiceInvoker invoker, Guid passId, CancellationToken cancellationToken)
    {
        using var client = invoker.CreateHttpClient("catalog");
        using var response = await client.GetAsync(new Uri($"api/passes/{passId}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var pass = await response.Content.ReadFromJsonAsync<CatalogPass>(cancellationToken);
        return pass is { Public: true, Events.Count: > 0 } ? pass : null;
    }
}
