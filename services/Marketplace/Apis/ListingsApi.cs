using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Validation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Tickets;
using TicketToken.Marketplace.Data;
using TicketToken.Marketplace.Domain;
using TicketToken.Marketplace.Subscriptions;
using TicketToken.Marketplace.Workflows;

namespace TicketToken.Marketplace.Apis;

/// <summary>
/// Listings: a ticket's owner lists it within its cap, changes the price or withdraws it; anyone browses what is on sale;
/// a fan buys a listing, which starts the resale saga. Only the owner changes a listing; another fan's is a 404.
/// </summary>
public static class ListingsApi
{
    public static RouteGroupBuilder MapListingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/marketplace").WithTags("Marketplace");
        // Browsing what is on sale is anonymous, as browsing events is (DESIGN.md section 6).
        group.MapGet("/listings", Browse).WithName("BrowseListings").AllowAnonymous()
            .WithSummary("Active listings, cheapest first: by event, section, price range and quantity (the number of listings wanted).");
        group.MapGet("/listings/{listingId:guid}", GetListing).WithName("GetListing").AllowAnonymous().WithSummary("One listing, as buyers see it.")
            .Problems(MarketplaceProblems.ListingNotFound);
        group.MapPost("/listings", CreateListing).WithName("CreateListing").RequireAuthorization(Policies.Fan)
            .WithSummary("Lists one of the caller's active tickets at a price within its cap; the ticket is locked (no gifts, its codes do not admit) until the listing ends.")
            .WithJsonRequestExamples(new RequestExample("list", "List a ticket", """{ "ticketId": "0197a3c7-0000-7000-8000-000000000001", "price": 9800 }"""))
            .Problems(MarketplaceProblems.EventNotKnown, MarketplaceProblems.IdempotencyKeyReused, () => MarketplaceProblems.ListingCooldown(default), () => MarketplaceProblems.ListingNotActive("a b"), MarketplaceProblems.ListingNotFound, () => MarketplaceProblems.ListingUnavailable("a b"), MarketplaceProblems.OwnListing, MarketplaceProblems.PassTicketNotSeparable, () => MarketplaceProblems.PriceAboveCap(0, "a b"), MarketplaceProblems.ResaleNotAllowed, MarketplaceProblems.ResaleNotFound, MarketplaceProblems.ResaleWindowClosed, () => MarketplaceProblems.SellerOnboardingRequired("a b"), MarketplaceProblems.TicketNotFound, () => MarketplaceProblems.TicketNotListable("a b"), () => MarketplaceProblems.TooManyListings(0), () => MarketplaceProblems.TooManyListingsOfEvent(0));
        group.MapGet("/listings/mine", MyListings).WithName("ListMyListings").RequireAuthorization(Policies.Fan).WithSummary("The caller's listings, newest first.");
        group.MapPatch("/listings/{listingId:guid}", ChangePrice).WithName("ChangeListingPrice").RequireAuthorization(Policies.Fan)
            .WithSummary("Changes the price of one of the caller's active listings (within the cap).")
            .Problems(() => MarketplaceProblems.ListingNotActive("a b"), MarketplaceProblems.ListingNotFound, () => MarketplaceProblems.PriceAboveCap(0, "a b"));
        group.MapPost("/listings/{listingId:guid}/withdraw", Withdraw).WithName("WithdrawListing").RequireAuthorization(Policies.Fan)
            .WithSummary("Takes one of the caller's active listings off sale and unlocks the ticket.")
            .Problems(() => MarketplaceProblems.ListingNotActive("a b"), MarketplaceProblems.ListingNotFound);
        group.MapPost("/listings/{listingId:guid}/purchases", Purchase).WithName("PurchaseListing").RequireAuthorization(Policies.Fan)
            .WithSummary("Reserves the listing for the caller and starts the resale: poll the resale for how to pay. One buyer at a time: another gets 409 listing_unavailable.")
            .WithRequiredHeader("Idempotency-Key", "A unique value per purchase (a UUID), sent again unchanged when retrying it, so that a retry never buys twice.")
            .Problems(MarketplaceProblems.IdempotencyKeyReused, MarketplaceProblems.ListingNotFound, () => MarketplaceProblems.ListingUnavailable("a b"), MarketplaceProblems.OwnListing);
        group.MapGet("/resales/{resaleId:guid}", GetResale).WithName("GetResale").RequireAuthorization(Policies.Fan)
            .WithSummary("A resale the caller buys or sells: its status and, for the buyer while it waits, how to pay.")
            .Problems(MarketplaceProblems.ResaleNotFound);
        return group;
    }

    public sealed record CreateListingRequest([property: Required] Guid? TicketId, [property: Required, Range(1, long.MaxValue)] long? Price);

    public sealed record ChangePriceRequest([property: Required, Range(1, long.MaxValue)] long? Price);

    public sealed record BrowseQuery(Guid? EventId, [property: StringLength(64)] string? Section, [property: Range(0, long.MaxValue)] long? MinPrice,
        [property: Range(0, long.MaxValue)] long? MaxPrice, [property: Range(1, 100)] int? Quantity);

    public sealed record ListingResponse(Guid Id, Guid TicketId, Guid EventId, string TicketTypeName, string? Section, string? Row, string? Seat, long Price, long Cap,
        string Currency, string Status, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt);

    public sealed record ListingsResponse(IReadOnlyList<ListingResponse> Items);

    /// <summary><see cref="Payment"/> is shown to the buyer only, while the resale waits for it.</summary>
    public sealed record ResaleResponse(Guid Id, Guid ListingId, Guid TicketId, Guid EventId, string Role, long Price, string Currency, string Status, string? FailureCode,
        DateTimeOffset PayBy, ResalePaymentResponse? Payment, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

    public sealed record ResalePaymentResponse(string? PaymentIntentId, string? ClientSecret);

    [SkipValidation] // services, not input
    public sealed record MarketplaceServices(MarketplaceDbContext Db, IActorProxyFactory Actors, IOptions<MarketplaceOptions> Options, TimeProvider Time);

    private static async Task<Ok<ListingsResponse>> Browse([AsParameters] BrowseQuery query, MarketplaceDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var listings = db.Listings.AsNoTracking().Where(l => l.Status == ListingStatuses.Active && l.ExpiresAt > now);
        if (query.EventId is { } eventId)
        {
            listings = listings.Where(l => l.EventId == eventId);
        }

        if (query.Section is { } section)
        {
            listings = listings.Where(l => l.Section == section);
        }

        if (query.MinPrice is { } min)
        {
            listings = listings.Where(l => l.Price >= min);
        }

        if (query.MaxPrice is { } max)
        {
            listings = listings.Where(l => l.Price <= max);
        }

        var rows = await listings.OrderBy(l => l.Price).ThenBy(l => l.Id).Take(query.Quantity ?? 50).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ListingsResponse([.. rows.Select(ToResponse)]));
    }

    private static async Task<Ok<ListingResponse>> GetListing(Guid listingId, MarketplaceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToResponse(await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == listingId, cancellationToken) ?? throw MarketplaceProblems.ListingNotFound()));

    private static async Task<Ok<ListingsResponse>> MyListings(Caller caller, MarketplaceDbContext db, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        var rows = await db.Listings.AsNoTracking().Where(l => l.SellerId == me).OrderByDescending(l => l.CreatedAt).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ListingsResponse([.. rows.Select(ToResponse)]));
    }

    private static async Task<Created<ListingResponse>> CreateListing(CreateListingRequest request, Caller caller, [AsParameters] MarketplaceServices services,
        CancellationToken cancellationToken)
    {
        var (db, actors, options, now) = (services.Db, services.Actors, services.Options.Value, services.Time.GetUtcNow());
        var seller = caller.RequiredUserId;
        var (ticketId, price) = (request.TicketId!.Value, request.Price!.Value);
        var account = await actors.SellerAccountOf(seller).GetAsync();
        if (!account.PayoutsEnabled)
        {
            throw MarketplaceProblems.SellerOnboardingRequired(account.Status);
        }

        if (await db.Listings.CountAsync(l => l.SellerId == seller && (l.Status == ListingStatuses.Active || l.Status == ListingStatuses.Reserved), cancellationToken)
            >= options.MaxActiveListingsPerSeller)
        {
            throw MarketplaceProblems.TooManyListings(options.MaxActiveListingsPerSeller);
        }

        var listingId = Guid.CreateVersion7(now);
        var locks = actors.LockOf(ticketId);
        var locked = await locks.LockAsync(new LockTicket(ticketId, seller, TicketLockReasons.Listing, listingId));
        if (locked.Failure is { } failure)
        {
            throw failure switch
            {
                TicketLockFailures.NotFound => MarketplaceProblems.TicketNotFound(),
                TicketLockFailures.PassTicketNotSeparable => MarketplaceProblems.PassTicketNotSeparable(),
                _ => MarketplaceProblems.TicketNotListable(failure),
            };
        }

        try
        {
            var ticket = locked.Ticket!;
            var @event = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == ticket.EventId, cancellationToken) ?? throw MarketplaceProblems.EventNotKnown();
            if (!@event.ResaleAllowed)
            {
                throw MarketplaceProblems.ResaleNotAllowed();
            }

            if (@event.Cancelled || @event.StartsAt <= now)
            {
                throw MarketplaceProblems.ResaleWindowClosed();
            }

            await CheckAntiScalpingAsync(db, ticket, @event, seller, options, now, cancellationToken);
            var cap = await CapOfAsync(db, ticket, @event, options, cancellationToken);
            if (price > cap)
            {
                throw MarketplaceProblems.PriceAboveCap(cap, ticket.Currency);
            }

            var listing = new Listing
            {
                Id = listingId, TicketId = ticketId, SellerId = seller, EventId = ticket.EventId, OrganizerId = ticket.OrganizerId, TicketTypeName = ticket.TicketTypeName,
                Section = ticket.Section, SeatRow = ticket.Row, SeatNumber = ticket.SeatNumber, Price = price, Cap = cap, Currency = ticket.Currency,
                Status = ListingStatuses.Active, ExpiresAt = @event.StartsAt, CreatedAt = now, UpdatedAt = now,
            };
            db.Listings.Add(listing);
            db.Publish(ListingOpened.Topic, new ListingOpened(listing.Id, listing.ExpiresAt));
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Created($"/api/marketplace/listings/{listing.Id}", ToResponse(listing));
        }
        catch
        {
            // Refused (or failed) after the lock was taken: the ticket is the seller's to use again.
            await locks.UnlockAsync(new UnlockTicket(ticketId, listingId));
            throw;
        }
    }

    private static async Task<Ok<ListingResponse>> ChangePrice(Guid listingId, ChangePriceRequest request, Caller caller, MarketplaceDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var listing = await OwnListingAsync(db, listingId, caller, cancellationToken);
        var price = request.Price!.Value;
        if (price > listing.Cap)
        {
            throw MarketplaceProblems.PriceAboveCap(listing.Cap, listing.Currency);
        }

        // Only an active listing changes: a buyer who reserved it pays what they saw.
        var changed = await db.Listings.Where(l => l.Id == listingId && l.Status == ListingStatuses.Active)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Price, price).SetProperty(x => x.UpdatedAt, time.GetUtcNow()), cancellationToken);
        if (changed == 0)
        {
            throw MarketplaceProblems.ListingNotActive(listing.Status);
        }

        return TypedResults.Ok(ToResponse(await db.Listings.AsNoTracking().SingleAsync(l => l.Id == listingId, cancellationToken)));
    }

    private static async Task<Ok<ListingResponse>> Withdraw(Guid listingId, Caller caller, [AsParameters] MarketplaceServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        var listing = await OwnListingAsync(db, listingId, caller, cancellationToken);
        if (listing.Status != ListingStatuses.Withdrawn)
        {
            var changed = await db.Listings.Where(l => l.Id == listingId && l.Status == ListingStatuses.Active)
                .ExecuteUpdateAsync(l => l.SetProperty(x => x.Status, ListingStatuses.Withdrawn).SetProperty(x => x.UpdatedAt, services.Time.GetUtcNow()), cancellationToken);
            if (changed == 0)
            {
                throw MarketplaceProblems.ListingNotActive(listing.Status);
            }
        }

        await OpenOffers.VoidAsync(db, listingId, services.Time.GetUtcNow(), cancellationToken);

        // Also when it was withdrawn before: a retry after a crash between the two steps finishes the unlock.
        await services.Actors.LockOf(listing.TicketId).UnlockAsync(new UnlockTicket(listing.TicketId, listing.Id));
        return TypedResults.Ok(ToResponse(await db.Listings.AsNoTracking().SingleAsync(l => l.Id == listingId, cancellationToken)));
    }

    private static async Task<Accepted<ResaleResponse>> Purchase(Guid listingId, Caller caller, [AsParameters] MarketplaceServices services,
        [FromKeyedServices(MarketplaceModule.Id)] IWorkflowClient workflows, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        MarketplaceProblems.RequireIdempotencyKey(idempotencyKey);
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var buyer = caller.RequiredUserId;
        var resaleId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"resale/{buyer:N}/{idempotencyKey}")).AsSpan(0, 16));
        var resale = await db.Resales.AsNoTracking().SingleOrDefaultAsync(r => r.Id == resaleId, cancellationToken);
        if (resale is null)
        {
            var listing = await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == listingId, cancellationToken) ?? throw MarketplaceProblems.ListingNotFound();
            if (listing.SellerId == buyer)
            {
                throw MarketplaceProblems.OwnListing();
            }

            var payBy = now + services.Options.Value.PaymentWindow;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            resale = await ReserveAsync(db, listing, resaleId, buyer, listing.Price, null, now, payBy, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await workflows.ScheduleNewWorkflowAsync(ResaleWorkflow.Name, resaleId.ToString("N"), new ResaleInput(resaleId, payBy.UtcDateTime), cancellationToken);
        }
        else if (resale.BuyerId != buyer || resale.ListingId != listingId)
        {
            throw MarketplaceProblems.IdempotencyKeyReused();
        }

        return TypedResults.Accepted($"/api/marketplace/resales/{resale.Id}", ToResponse(resale, buyer));
    }

    /// <summary>
    /// Reserves the listing for the buyer at the price (the asking price, or an accepted offer's) and adds the resale, with
    /// its <see cref="ResaleReserved"/> in the outbox, to the caller's transaction. The reservation is one conditional update,
    /// so of any number of racing buyers (or acceptances) exactly one finds the listing active.
    /// </summary>
    internal static async Task<Resale> ReserveAsync(MarketplaceDbContext db, Listing listing, Guid resaleId, Guid buyer, long price, Guid? offerId, DateTimeOffset now,
        DateTimeOffset payBy, CancellationToken cancellationToken)
    {
        var reserved = await db.Listings.Where(l => l.Id == listing.Id && l.Status == ListingStatuses.Active && l.ExpiresAt > now)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Status, ListingStatuses.Reserved).SetProperty(x => x.ResaleId, resaleId).SetProperty(x => x.UpdatedAt, now),
                cancellationToken);
        if (reserved == 0)
        {
            var status = await db.Listings.Where(l => l.Id == listing.Id).Select(l => l.Status).SingleAsync(cancellationToken);
            throw MarketplaceProblems.ListingUnavailable(status == ListingStatuses.Active ? ListingStatuses.Expired : status);
        }

        var resale = new Resale
        {
            Id = resaleId, ListingId = listing.Id, TicketId = listing.TicketId, EventId = listing.EventId, OrganizerId = listing.OrganizerId, SellerId = listing.SellerId,
            BuyerId = buyer, Price = price, Currency = listing.Currency, Status = ResaleStatuses.PendingPayment, PayBy = payBy, OfferId = offerId, CreatedAt = now, UpdatedAt = now,
        };
        db.Resales.Add(resale);
        db.Publish(ResaleReserved.Topic, new ResaleReserved(resaleId, listing.Id, payBy));
        return resale;
    }

    private static async Task<Ok<ResaleResponse>> GetResale(Guid resaleId, Caller caller, MarketplaceDbContext db, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        var resale = await db.Resales.AsNoTracking().SingleOrDefaultAsync(r => r.Id == resaleId && (r.BuyerId == me || r.SellerId == me), cancellationToken)
            ?? throw MarketplaceProblems.ResaleNotFound();
        return TypedResults.Ok(ToResponse(resale, me));
    }

    /// <summary>
    /// The limits against scalping (item 5): tickets of one event per reseller, and the cooldown after buying. The event's
    /// resale policy sets them; the platform's configuration is the default for events that do not.
    /// </summary>
    private static async Task CheckAntiScalpingAsync(MarketplaceDbContext db, LockedTicket ticket, ResaleEvent @event, Guid seller, MarketplaceOptions options,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cooldown = @event.ListingCooldownMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : options.ListingCooldownAfterPurchase;
        if ((@event.MaxListingsPerFan ?? options.MaxListingsPerSellerPerEvent) is { } perEvent && await db.Listings.CountAsync(l => l.SellerId == seller && l.EventId == ticket.EventId
            && (l.Status == ListingStatuses.Active || l.Status == ListingStatuses.Reserved || l.Status == ListingStatuses.Sold), cancellationToken) >= perEvent)
        {
            throw MarketplaceProblems.TooManyListingsOfEvent(perEvent);
        }

        if (cooldown <= TimeSpan.Zero)
        {
            return;
        }

        // Bought on this marketplace, or else in the order that issued it; a gift counts from the order.
        var boughtAt = await db.Resales.AsNoTracking().Where(r => r.TicketId == ticket.TicketId && r.BuyerId == seller && r.Status == ResaleStatuses.Completed)
            .MaxAsync(r => r.CompletedAt, cancellationToken);
        if (boughtAt is null && ticket.OrderId is { } orderId)
        {
            boughtAt = await db.OrderAmounts.AsNoTracking().Where(o => o.OrderId == orderId).Select(o => o.ConfirmedAt).SingleOrDefaultAsync(cancellationToken);
        }

        if (boughtAt is { } at && at + cooldown > now)
        {
            throw MarketplaceProblems.ListingCooldown(at + cooldown);
        }
    }

    /// <summary>The cap of the ticket: what its first buyer paid, lowered by the event's and the jurisdiction's rules.</summary>
    internal static async Task<long> CapOfAsync(MarketplaceDbContext db, LockedTicket ticket, ResaleEvent @event, MarketplaceOptions options, CancellationToken cancellationToken)
    {
        var order = ticket.OrderId is { } orderId ? await db.OrderAmounts.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == orderId, cancellationToken) : null;
        return PriceCap.Of(PriceCap.Paid(ticket.FaceValue, order), @event, options.JurisdictionCapPercent);
    }

    private static async Task<Listing> OwnListingAsync(MarketplaceDbContext db, Guid listingId, Caller caller, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        return await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == listingId && l.SellerId == me, cancellationToken) ?? throw MarketplaceProblems.ListingNotFound();
    }

    internal static ListingResponse ToResponse(Listing l) =>
        new(l.Id, l.TicketId, l.EventId, l.TicketTypeName, l.Section, l.SeatRow, l.SeatNumber, l.Price, l.Cap, l.Currency, l.Status, l.ExpiresAt, l.CreatedAt);

    private static ResaleResponse ToResponse(Resale r, Guid me) =>
        new(r.Id, r.ListingId, r.TicketId, r.EventId, r.BuyerId == me ? "buyer" : "seller", r.Price, r.Currency, r.Status, r.FailureCode, r.PayBy,
            r.BuyerId == me && r.Status == ResaleStatuses.PendingPayment ? new ResalePaymentResponse(r.PaymentIntentId, r.ClientSecret) : null, r.CreatedAt, r.CompletedAt);
}
