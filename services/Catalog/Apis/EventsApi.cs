using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Apis;

/// <summary>
/// Events: created as drafts (one, or a series from a recurrence rule), published (inventory is told everything it
/// sells in one event.published message), put on sale, completed or cancelled. Announced events are public; drafts
/// are seen only by the organizer's staff, and anyone else gets 404.
/// </summary>
public static partial class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events").WithTags("Events");
        group.MapPost("/", CreateEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("CreateEvent")
            .WithSummary("Creates a draft event, or with a recurrence rule a series of dated drafts computed on the venue's wall clock.")
            .WithJsonRequestExamples(CatalogExamples.CreateEvent, CatalogExamples.CreateRecurringEvent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        // Anonymous by design: browsing announced events is public (DESIGN.md section 6); drafts appear only to their organizer's staff.
        group.MapGet("/", ListEvents).AllowAnonymous().WithName("ListEvents")
            .WithSummary("Finds announced events by text, dates, city and category, ordered by start (cursor pagination); with organizerId or seriesId, the organizer's staff also see drafts and cancelled events.");
        // Anonymous by design: an announced event's page is public; a draft is answered 404 to all but the organizer's staff.
        group.MapGet("/{eventId:guid}", GetEvent).AllowAnonymous().WithName("GetEvent").WithSummary("Reads an event.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Anonymous by design: the picture is public. Inventory draws it (it knows each seat's status); the event's
        // address for it lives here, under the event, and redirects there.
        group.MapGet("/{eventId:guid}/seatmap.svg", (Guid eventId) => TypedResults.Redirect($"/api/inventory/events/{eventId}/seatmap.svg"))
            .AllowAnonymous().WithName("GetEventSeatMapPicture")
            .WithSummary("The event's seat map as an SVG picture coloured by seat status (a redirect to inventory, which draws it).");
        group.MapPatch("/{eventId:guid}", UpdateEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("UpdateEvent")
            .WithSummary("Changes a draft event's name, description, category, times, sales window, currency, limits or resale policy.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{eventId:guid}/publish", PublishEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("PublishEvent")
            .WithSummary("Announces the event and tells inventory its seats and ticket types (event.published); publishing again re-announces it with a higher version.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{eventId:guid}/open-sales", OpenSales).RequireAuthorization(Policies.OrganizerAdmin).WithName("OpenEventSales")
            .WithSummary("Puts a published event on sale.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{eventId:guid}/complete", CompleteEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("CompleteEvent")
            .WithSummary("Marks an event on sale as having taken place (once it has started).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{eventId:guid}/cancel", CancelEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("CancelEvent")
            .WithSummary("Cancels an event that has not completed; an announced one is withdrawn with event.cancelled.")
            .WithJsonRequestExample(CatalogExamples.CancelEvent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }
}
