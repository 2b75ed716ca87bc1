using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Apis;

/// <summary>
/// A fan's ticket to take away from the app: the PDF, the Apple Wallet pass, the Google Wallet save link. Owner only;
/// another fan's ticket is a 404 like one that does not exist. Each answer holds an entry code: nothing caches it.
/// </summary>
public static class CarriedTicketsApi
{
    public static RouteGroupBuilder MapCarriedTicketsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tickets/{ticketId:guid}").WithTags("Tickets").RequireAuthorization(Policies.Fan);
        group.MapGet("/pdf", GetTicketPdf).WithName("GetTicketPdf")
            .WithSummary("The ticket as a printable PDF: event, date and venue, seat, holder, and the QR of its pass code with the code in text.")
            .Problems(TicketsProblems.HeldForPickup, () => TicketsProblems.TicketNotActive(default));
        group.MapGet("/pkpass", GetApplePass).WithName("GetTicketApplePass")
            .WithSummary("The ticket as an Apple Wallet pass (.pkpass) that updates itself through the pass web service.")
            .Problems(TicketsProblems.HeldForPickup, () => TicketsProblems.TicketNotActive(default));
        group.MapGet("/google-wallet", GetGoogleWalletLink).WithName("GetTicketGoogleWalletLink")
            .WithSummary("The \"Save to Google Wallet\" link of the ticket and its signed JWT; the wallet shows the same rotating code as the app.")
            .Problems(TicketsProblems.HeldForPickup, () => TicketsProblems.TicketNotActive(default));
        return group;
    }

    /// <summary>The save link (open it, or put it behind Google's button), and the JWT it carries.</summary>
    public sealed record GoogleWalletLinkResponse(Guid TicketId, string SaveUrl, string Jwt, string ObjectId);

    private static async Task<FileContentHttpResult> GetTicketPdf(Guid ticketId, Caller caller, CarriedDocuments documents, HttpContext http, CancellationToken cancellationToken)
    {
        var ticket = await ActiveAsync(documents, caller, ticketId, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(documents.Pdf([ticket]), "application/pdf", $"ticket-{ticket.Number}.pdf");
    }

    private static async Task<FileContentHttpResult> GetApplePass(Guid ticketId, Caller caller, CarriedDocuments documents, HttpContext http, CancellationToken cancellationToken)
    {
        var ticket = await ActiveAsync(documents, caller, ticketId, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(await documents.ApplePassAsync(ticket, ticket.Ticket.SecretVersion, cancellationToken), ApplePass.MediaType, $"ticket-{ticket.Number}.pkpass",
            lastModified: CarriedDocuments.LastModifiedSecond(ticket));
    }

    private static async Task<Ok<GoogleWalletLinkResponse>> GetGoogleWalletLink(Guid ticketId, Caller caller, CarriedDocuments documents, HttpContext http,
        CancellationToken cancellationToken)
    {
        var ticket = await ActiveAsync(documents, caller, ticketId, cancellationToken);
        var jwt = documents.GoogleSaveJwt(ticket);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new GoogleWalletLinkResponse(ticketId, GoogleWalletPass.SaveUrlPrefix + jwt, jwt, documents.GoogleObjectId(ticket)));
    }

    private static async Task<CarriedTicket> ActiveAsync(CarriedDocuments documents, Caller caller, Guid ticketId, CancellationToken cancellationToken)
    {
        var ticket = await documents.OwnedAsync(caller.RequiredUserId, ticketId, cancellationToken);
        return !ticket.IsActive ? throw TicketsProblems.TicketNotActive(ticket.Ticket.Status)
            : ticket.Ticket.LockReason == Contracts.Tickets.TicketLockReasons.WillCall ? throw TicketsProblems.HeldForPickup()
            : ticket;
    }
}
