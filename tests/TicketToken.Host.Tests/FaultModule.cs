using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Host.Tests;

/// <summary>A test-only module whose routes fail the two ways a handler can: unexpectedly, or with a problem the client can act on.</summary>
public sealed class FaultModule : Module
{
    public const string Id = "faults";

    /// <summary>Stands in for an internal detail (a table name, a connection string) that must never reach a client.</summary>
    public const string SecretMessage = "connection to db-primary.internal:5432 refused";

    public override string AppId => Id;

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Anonymous and undocumented on purpose: these routes exist only in tests.
        var group = endpoints.MapGroup("/test/faults").ExcludeFromDescription().AllowAnonymous();
        group.MapGet("/unexpected", Unexpected).WithName("FailUnexpectedly");
        group.MapGet("/seat-unavailable", SeatUnavailable).WithName("FailWithSeatUnavailable");
    }

    private static IResult Unexpected() => throw new InvalidOperationException(SecretMessage);

    private static IResult SeatUnavailable() =>
        throw new ProblemException(StatusCodes.Status409Conflict, "seat_unavailable", "The seat is no longer available.", "Seat A-12 is held by another fan.");
}
