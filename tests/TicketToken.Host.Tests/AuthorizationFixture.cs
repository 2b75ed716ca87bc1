using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Host.Tests;

/// <summary>
/// Every module of the host, plus one person (or device) per role, all made through identity's real API:
/// two fans, the admin and the box office of organizer A, the admin of organizer B, a scanner of A, a platform admin.
/// </summary>
public class AuthorizationFixture : HostFixture
{
    protected override IReadOnlyList<Module> Modules() => [.. HostModules.All(), new EventCaptureModule("identity.staff-invited")];

    /// <summary>Webhook endpoints on this machine (nothing is delivered: the tests register endpoints and try to reach others').</summary>
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["TicketToken:Notifications:Webhooks:AllowPrivateNetworks"] = "true",
        ["TicketToken:Notifications:Webhooks:RequireHttps"] = "false",
    };

    public Person Fan { get; private set; } = null!;
    public Person OtherFan { get; private set; } = null!;
    public Person AdminOfA { get; private set; } = null!;
    public Person BoxOfficeOfA { get; private set; } = null!;
    public Person AdminOfB { get; private set; } = null!;
    public Person PlatformAdmin { get; private set; } = null!;
    public ScannerDevice ScannerOfA { get; private set; } = null!;
    public Guid OrganizerA { get; private set; }
    public Guid OrganizerB { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var events = Events;
        Fan = await Personas.FanAsync();
        OtherFan = await Personas.FanAsync();
        (AdminOfA, OrganizerA) = await Personas.OrganizerAdminAsync("Organizer A");
        (AdminOfB, OrganizerB) = await Personas.OrganizerAdminAsync("Organizer B");
        BoxOfficeOfA = await Personas.StaffAsync(AdminOfA, OrganizerA, "box_office", events);
        ScannerOfA = await Personas.DeviceAsync(AdminOfA, OrganizerA);
        PlatformAdmin = await Personas.PlatformAdminAsync();
    }
}
