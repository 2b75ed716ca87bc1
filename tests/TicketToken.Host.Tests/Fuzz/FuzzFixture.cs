using TicketToken.BuildingBlocks.Security;
using TicketToken.Testing.Catalog;

namespace TicketToken.Host.Tests.Fuzz;

/// <summary>The kinds of caller a request can come from.</summary>
public enum FuzzCaller
{
    Anonymous,
    Fan,
    AdminOfA,
    AdminOfB,
    BoxOfficeOfA,
    ScannerOfA,
    PlatformAdmin,
}

/// <summary>
/// The people of <see cref="AuthorizationFixture"/> and, for organizer A, a world for requests to land in: a venue with a
/// seat map, an event on sale with reserved seats and general admission. Paths are filled with these ids, so that a bad
/// body reaches as far into each handler as a good one would.
/// </summary>
public sealed class FuzzFixture : AuthorizationFixture
{
    public static readonly IReadOnlyList<FuzzCaller> Callers = Enum.GetValues<FuzzCaller>();

    public Guid VenueId { get; private set; }
    public Guid SeatMapId { get; private set; }
    public Guid EventId { get; private set; }
    public Guid StandingTypeId { get; private set; }

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        // Every request comes from one address; refused sign-ins must not lock the fixture's own people out.
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "1000000",
        ["TicketToken:Identity:MaxFailuresPerAccount"] = "1000000",
        ["TicketToken:Identity:MaxResetRequestsPerAddress"] = "1000000",
        // A hold a fuzzed request made must not expire (and change tables) in the middle of the run.
        ["TicketToken:Inventory:HoldDuration"] = "02:00:00",
        ["TicketToken:Inventory:MaximumHoldLifetime"] = "04:00:00",
    };

    /// <summary>The policy whose typical caller this is (the one that gets every bad body), or null.</summary>
    public static string? PolicyOf(FuzzCaller caller) => caller switch
    {
        FuzzCaller.Fan => Policies.Fan,
        FuzzCaller.AdminOfA => Policies.OrganizerAdmin,
        FuzzCaller.BoxOfficeOfA => Policies.BoxOffice,
        FuzzCaller.ScannerOfA => Policies.Scanner,
        FuzzCaller.PlatformAdmin => Policies.PlatformAdmin,
        _ => null,
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var world = await OnSaleEvents.CreateAsync(Client, AdminOfA, OrganizerA, "Fuzz Night");
        (VenueId, SeatMapId, EventId, StandingTypeId) = (world.VenueId, world.SeatMapId, world.EventId, world.StandingTypeId);
    }

    public string? TokenOf(FuzzCaller caller) => caller switch
    {
        FuzzCaller.Fan => Fan.AccessToken,
        FuzzCaller.AdminOfA => AdminOfA.AccessToken,
        FuzzCaller.AdminOfB => AdminOfB.AccessToken,
        FuzzCaller.BoxOfficeOfA => BoxOfficeOfA.AccessToken,
        FuzzCaller.ScannerOfA => ScannerOfA.AccessToken,
        FuzzCaller.PlatformAdmin => PlatformAdmin.AccessToken,
        _ => null,
    };

    /// <summary>A concrete path for an OpenAPI path template: ids of organizer A's world where the name says which, new ids otherwise.</summary>
    public string Fill(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, "{([^}:]+)[^}]*}", match => match.Groups[1].Value switch
        {
            "organizerId" => OrganizerA.ToString(),
            "venueId" => VenueId.ToString(),
            "seatMapId" => SeatMapId.ToString(),
            "eventId" => EventId.ToString(),
            "ticketTypeId" => StandingTypeId.ToString(),
            "deviceId" => ScannerOfA.DeviceId.ToString(),
            "userId" => BoxOfficeOfA.UserId.ToString(),
            _ => Guid.NewGuid().ToString(),
        });

    /// <summary>The example with the ids of organizer A's world in place of the document's made-up ones (in place; returns it).</summary>
    public System.Text.Json.Nodes.JsonNode Ground(System.Text.Json.Nodes.JsonNode example)
    {
        switch (example)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (IdNamed(name) is { } id)
                    {
                        obj[name] = id.ToString();
                    }
                    else if (obj[name] is { } child)
                    {
                        Ground(child);
                    }
                }

                break;
            case System.Text.Json.Nodes.JsonArray array:
                foreach (var item in array.OfType<System.Text.Json.Nodes.JsonNode>())
                {
                    Ground(item);
                }

                break;
        }

        return example;
    }

    private Guid? IdNamed(string name) => name switch
    {
        "organizerId" => OrganizerA,
        "venueId" => VenueId,
        "seatMapId" => SeatMapId,
        "eventId" => EventId,
        "ticketTypeId" => StandingTypeId,
        "deviceId" => ScannerOfA.DeviceId,
        _ => null,
    };
}
