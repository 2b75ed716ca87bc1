using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Marketplace;
using TicketToken.Marketplace.Data;
using TicketToken.Marketplace.Workflows;

namespace TicketToken.Marketplace.Apis;

/// <summary>
/// Offers (issue 16 item 3): a buyer offers less than a listing's asking price (never above its cap); the seller accepts,
/// declines or counters; the buyer accepts or declines a counter, or withdraws. Whoever's turn it is has until the offer
/// expires. Accepting reserves the listing for the offer's buyer through the same resale saga as a purchase, at the
/// agreed price. Only the offer's buyer and the listing's seller see or answer an offer; anyone else gets a 404.
/// </summary>
public static class OffersApi
{
    public static RouteGroupBuilder MapOffersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/marketplace").WithTags("Marketplace").RequireAuthorization(Policies.Fan);
        group.MapPost("/listings/{listingId:guid}/offers", MakeOffer).WithName("MakeOffer")
            .WithSummary("Offers less than the listing's asking price (at most its cap); the seller accepts, declines or counters it before it expires.")
            .WithJsonRequestExamples(new RequestExample("offer", "Offer 80.00", """{ "price": 8000 }"""))
            .Problems(MarketplaceProblems.ListingNotFound, () => MarketplaceProblems.ListingUnavailable("a b"), MarketplaceProblems.OfferExists, () => MarketplaceProblems.OfferNotBelowAskingPrice(0, "a b"), MarketplaceProblems.OwnOffer, () => MarketplaceProblems.PriceAboveCap(0, "a b"));
        group.MapGet("/listings/{listingId:guid}/offers", ListingOffers).WithName("ListListingOffers")
            .WithSummary("The offers made on one of the caller's listings, newest first.")
            .Problems(MarketplaceProblems.ListingNotFound);
        group.MapGet("/offers/mine", MyOffers).WithName("ListMyOffers").WithSummary("The offers the caller made, newest first.");
        group.MapGet("/offers/{offerId:guid}", GetOffer).WithName("GetOffer").WithSummary("An offer the caller made or received.")
            .Problems(MarketplaceProblems.OfferNotFound);
        group.MapPost("/offers/{offerId:guid}/counter", Counter).WithName("CounterOffer")
            .WithSummary("The seller answers a pending offer with a higher price (at most the cap); the buyer may then accept or decline it.")
            .WithJsonRequestExamples(new RequestExample("counter", "Counter with 90.00", """{ "price": 9000 }"""))
            .Problems(() => MarketplaceProblems.CounterOutOfRange(0, 0, "a b"), MarketplaceProblems.OfferNotFound, () => MarketplaceProblems.OfferNotOpen("a b", "a b"), () => MarketplaceProblems.PriceAboveCap(0, "a b"));
        group.MapPost("/offers/{offerId:guid}/accept", Accept).WithName("AcceptOffer")
            .WithSummary("The seller accepts a pending offer, or the buyer a counter: the listing is reserved for the buyer at the agreed price and the resale starts (the buyer pays as after a purchase).")
            .Problems(() => MarketplaceProblems.ListingUnavailable("a b"), MarketplaceProblems.OfferNotFound, () => MarketplaceProblems.OfferNotOpen("a b", "a b"));
        group.MapPost("/offers/{offerId:guid}/decline", Decline).WithName("DeclineOffer")
            .WithSummary("The seller declines a pending offer, or the buyer a counter.")
            .Problems(MarketplaceProblems.OfferNotFound, () => MarketplaceProblems.OfferNotOpen("a b", "a b"));
        group.MapPost("/offers/{offerId:guid}/withdraw", Withdraw).WithName("WithdrawOffer").WithSummary("The buyer takes back an open offer.")
            .Problems(MarketplaceProblems.OfferNotFound, () => MarketplaceProblems.OfferNotOpen("a b", "a b"));
        return group;
    }

    public sealed record OfferRequest([property: Required, Range(1, long.MaxValue)] long? Price);

    /// <summary>
    /// <c>status</c>: pending (the seller's turn), countered (the buyer's turn), accepted (see <c>resaleId</c>), declined,
    /// withdrawn, expired, void (the listing ended). <c>price</c> is the buyer's offer, <c>counterPrice</c> the seller's.
    /// </summary>
    public sealed record OfferResponse(Guid Id, Guid ListingId, Guid EventId, string Role, long Price, long? CounterPrice, string Currency, string Status, Guid? ResaleId,
        DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record OffersResponse(IReadOnlyList<OfferResponse> Items);

    private static async Task<Created<OfferResponse>> MakeOffer(Guid listingId, OfferRequest request, Caller caller, [AsParameters] ListingsApi.MarketplaceServices services,
        CancellationToken cancellationToken)
    {
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var buyer = caller.RequiredUserId;
        var price = request.Price!.Value;
        var listing = await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == listingId, cancellationToken) ?? throw MarketplaceProblems.ListingNotFound();
        if (listing.SellerId == buyer)
        {
            throw MarketplaceProblems.OwnOffer();
        }

        if (listing.Status != ListingStatuses.Active || listing.ExpiresAt <= now)
        {
            throw MarketplaceProblems.ListingUnavailable(listing.Status == ListingStatuses.Active ? ListingStatuses.Expired : listing.Status);
        }

        if (price > listing.Cap)
        {
            throw MarketplaceProblems.PriceAboveCap(listing.Cap, listing.Currency);
        }

        if (price >= listing.Price)
        {
            throw MarketplaceProblems.OfferNotBelowAskingPrice(listing.Price, listing.Currency);
        }

        // An offer of this buyer that ran out makes room for a new one (expiry is read from the clock, not written by a timer).
        await db.Offers.Where(o => o.ListingId == listingId && o.BuyerId == buyer && (o.Status == OfferStatuses.Pending || o.Status == OfferStatuses.Countered)
                && o.ExpiresAt <= now)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, OfferStatuses.Expired).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        var offer = new Offer
        {
            Id = Guid.CreateVersion7(now), ListingId = listingId, EventId = listing.EventId, SellerId = listing.SellerId, BuyerId = buyer, Price = price,
            Currency = listing.Currency, Status = OfferStatuses.Pending, ExpiresAt = now + services.Options.Value.OfferLifetime, CreatedAt = now, UpdatedAt = now,
        };
        db.Offers.Add(offer);
        Announce(db, offer, listing, buyer, OfferChanged.Made, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw MarketplaceProblems.OfferExists();
        }

        return TypedResults.Created($"/api/marketplace/offers/{offer.Id}", ToResponse(offer, buyer, now));
    }

    private static async Task<Ok<OffersResponse>> ListingOffers(Guid listingId, Caller caller, MarketplaceDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        if (!await db.Listings.AnyAsync(l => l.Id == listingId && l.SellerId == me, cancellationToken))
        {
            throw MarketplaceProblems.ListingNotFound();
        }

        var now = time.GetUtcNow();
        var rows = await db.Offers.AsNoTracking().Where(o => o.ListingId == listingId).OrderByDescending(o => o.CreatedAt).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(new OffersResponse([.. rows.Select(o => ToResponse(o, me, now))]));
    }

    private static async Task<Ok<OffersResponse>> MyOffers(Caller caller, MarketplaceDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        var now = time.GetUtcNow();
        var rows = await db.Offers.AsNoTracking().Where(o => o.BuyerId == me).OrderByDescending(o => o.CreatedAt).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(new OffersResponse([.. rows.Select(o => ToResponse(o, me, now))]));
    }

    private static async Task<Ok<OfferResponse>> GetOffer(Guid offerId, Caller caller, MarketplaceDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        return TypedResults.Ok(ToResponse(await PartyOfferAsync(db, offerId, me, cancellationToken), me, time.GetUtcNow()));
    }

    private static async Task<Ok<OfferResponse>> Counter(Guid offerId, OfferRequest request, Caller caller, [AsParameters] ListingsApi.MarketplaceServices services,
        CancellationToken cancellationToken)
    {
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var me = caller.RequiredUserId;
        var offer = await PartyOfferAsync(db, offerId, me, cancellationToken);
        if (offer.SellerId != me)
        {
            throw MarketplaceProblems.OfferNotOpen(StatusAt(offer, now), "countered by its buyer");
        }

        var listing = await db.Listings.AsNoTracking().SingleAsync(l => l.Id == offer.ListingId, cancellationToken);
        var price = request.Price!.Value;
        if (price > listing.Cap)
        {
            throw MarketplaceProblems.PriceAboveCap(listing.Cap, listing.Currency);
        }

        if (price <= offer.Price)
        {
            throw MarketplaceProblems.CounterOutOfRange(offer.Price, listing.Cap, listing.Currency);
        }

        var expiresAt = now + services.Options.Value.OfferLifetime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Offers.Where(o => o.Id == offerId && o.Status == OfferStatuses.Pending && o.ExpiresAt > now)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, OfferStatuses.Countered).SetProperty(x => x.CounterPrice, price).SetProperty(x => x.ExpiresAt, expiresAt)
                .SetProperty(x => x.UpdatedAt, now), cancellationToken);
        var current = await db.Offers.AsNoTracking().SingleAsync(o => o.Id == offerId, cancellationToken);
        if (changed == 0)
        {
            throw MarketplaceProblems.OfferNotOpen(StatusAt(current, now), "countered");
        }

        Announce(db, current, listing, me, OfferChanged.Countered, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(current, me, now));
    }

    private static async Task<Accepted<OfferResponse>> Accept(Guid offerId, Caller caller, [AsParameters] ListingsApi.MarketplaceServices services,
        [FromKeyedServices(MarketplaceModule.Id)] IWorkflowClient workflows, CancellationToken cancellationToken)
    {
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var me = caller.RequiredUserId;
        var offer = await PartyOfferAsync(db, offerId, me, cancellationToken);
        // The seller answers an offer, the buyer a counter: nobody accepts their own proposal.
        var awaiting = offer.SellerId == me ? OfferStatuses.Pending : OfferStatuses.Countered;
        if (StatusAt(offer, now) != awaiting)
        {
            throw MarketplaceProblems.OfferNotOpen(StatusAt(offer, now), "accepted by you");
        }

        var listing = await db.Listings.AsNoTracking().SingleAsync(l => l.Id == offer.ListingId, cancellationToken);
        // The seller may have lowered the asking price since: the buyer never pays more than it.
        var price = Math.Min(offer.AgreedPrice, listing.Price);
        var resaleId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"offer-resale/{offerId:N}")).AsSpan(0, 16));
        var payBy = now + services.Options.Value.PaymentWindow;

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The listing first: while it is reserved (by a purchase or another accepted offer) nothing else is accepted on it.
            await ListingsApi.ReserveAsync(db, listing, resaleId, offer.BuyerId, price, offer.Id, now, payBy, cancellationToken);
            var changed = await db.Offers.Where(o => o.Id == offerId && o.Status == awaiting && o.ExpiresAt > now)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, OfferStatuses.Accepted).SetProperty(x => x.ResaleId, resaleId).SetProperty(x => x.UpdatedAt, now),
                    cancellationToken);
            if (changed == 0)
            {
                throw MarketplaceProblems.OfferNotOpen(StatusAt(offer, now), "accepted by you");
            }

            Announce(db, offer, listing, me, OfferChanged.Accepted, now, resaleId, payBy, price);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await workflows.ScheduleNewWorkflowAsync(ResaleWorkflow.Name, resaleId.ToString("N"), new ResaleInput(resaleId, payBy.UtcDateTime), cancellationToken);
        var accepted = await db.Offers.AsNoTracking().SingleAsync(o => o.Id == offerId, cancellationToken);
        return TypedResults.Accepted($"/api/marketplace/resales/{resaleId}", ToResponse(accepted, me, now));
    }

    private static async Task<Ok<OfferResponse>> Decline(Guid offerId, Caller caller, MarketplaceDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var me = caller.RequiredUserId;
        var offer = await PartyOfferAsync(db, offerId, me, cancellationToken);
        var awaiting = offer.SellerId == me ? OfferStatuses.Pending : OfferStatuses.Countered;
        return TypedResults.Ok(await EndAsync(db, offer, me, awaiting, OfferStatuses.Declined, "declined by you", now, cancellationToken));
    }

    private static async Task<Ok<OfferResponse>> Withdraw(Guid offerId, Caller caller, MarketplaceDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var me = caller.RequiredUserId;
        var offer = await PartyOfferAsync(db, offerId, me, cancellationToken);
        if (offer.BuyerId != me)
        {
            throw MarketplaceProblems.OfferNotOpen(StatusAt(offer, now), "withdrawn by its seller (decline it instead)");
        }

        return TypedResults.Ok(await EndAsync(db, offer, me, null, OfferStatuses.Withdrawn, "withdrawn", now, cancellationToken));
    }

    /// <summary>Ends an open offer (in <paramref name="awaiting"/> status, or either open one when null) that has not expired; a decline tells the other side.</summary>
    private static async Task<OfferResponse> EndAsync(MarketplaceDbContext db, Offer offer, Guid me, string? awaiting, string status, string action, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Offers.Where(o => o.Id == offer.Id && (awaiting == null ? o.Status == OfferStatuses.Pending || o.Status == OfferStatuses.Countered : o.Status == awaiting)
                && o.ExpiresAt > now)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, status).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            throw MarketplaceProblems.OfferNotOpen(StatusAt(offer, now), action);
        }

        var current = await db.Offers.AsNoTracking().SingleAsync(o => o.Id == offer.Id, cancellationToken);
        if (status == OfferStatuses.Declined)
        {
            var listing = await db.Listings.AsNoTracking().SingleAsync(l => l.Id == offer.ListingId, cancellationToken);
            Announce(db, current, listing, me, OfferChanged.Declined, now);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return ToResponse(current, me, now);
    }

    private static void Announce(MarketplaceDbContext db, Offer offer, Listing listing, Guid actor, string kind, DateTimeOffset now, Guid? resaleId = null,
        DateTimeOffset? payBy = null, long? price = null) =>
        db.Publish(OfferChanged.Topic, new OfferChanged(offer.Id, offer.ListingId, offer.EventId, listing.OrganizerId, offer.SellerId, offer.BuyerId, actor, kind,
            price ?? offer.AgreedPrice, listing.Price, offer.Currency, offer.ExpiresAt, resaleId, payBy, now));

    /// <summary>The offer, when the caller made it or received it; anyone else's is a 404, as if it did not exist.</summary>
    private static async Task<Offer> PartyOfferAsync(MarketplaceDbContext db, Guid offerId, Guid me, CancellationToken cancellationToken) =>
        await db.Offers.AsNoTracking().SingleOrDefaultAsync(o => o.Id == offerId && (o.BuyerId == me || o.SellerId == me), cancellationToken)
        ?? throw MarketplaceProblems.OfferNotFound();

    /// <summary>An open offer past its time reads as expired, whether or not anything has written that down yet.</summary>
    private static string StatusAt(Offer offer, DateTimeOffset now) => OfferStatuses.IsOpen(offer.Status) && offer.ExpiresAt <= now ? OfferStatuses.Expired : offer.Status;

    private static OfferResponse ToResponse(Offer o, Guid me, DateTimeOffset now) =>
        new(o.Id, o.ListingId, o.EventId, o.BuyerId == me ? "buyer" : "seller", o.Price, o.CounterPrice, o.Currency, StatusAt(o, now), o.ResaleId, o.ExpiresAt, o.CreatedAt,
            o.UpdatedAt);
}
