using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Identity;
using TicketToken.Testing;

namespace TicketToken.Catalog.Tests;

/// <summary>
/// Identity and catalog on a real host and a fresh database, plus a module that captures what catalog publishes (and
/// identity's invitations, to make staff), for one test class.
/// </summary>
public sealed class CatalogFixture : ModuleHostFixture
{
    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new CatalogModule(), new EventCaptureModule(EventPublished.Topic, EventCancelled.Topic, "identity.staff-invited")];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Identity:MaxResetRequestsPerAddress"] = "100000",
    };
}
