using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog.Actors;
using TicketToken.Catalog.Apis;
using TicketToken.Catalog.Data;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog;

/// <summary>Venues and their seat maps, events and their ticket types; publishes what inventory sells.</summary>
public sealed class CatalogModule : Module
{
    public const string Id = "catalog";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddValidation();
        module.AddDbContext<CatalogDbContext>(CatalogDbContext.SchemaName);
        module.AddActor<VenueActor>(CatalogActors.Venue);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapVenuesApi();
        endpoints.MapSeatMapsApi();
        endpoints.MapEventsApi();
        endpoints.MapEventChangesApi();
        endpoints.MapTicketTypesApi();
        endpoints.MapPassesApi();
    }
}
