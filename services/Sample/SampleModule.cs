using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Sample;
using TicketToken.Sample.Apis;
using TicketToken.Sample.Data;
using TicketToken.Sample.Subscriptions;

namespace TicketToken.Sample;

/// <summary>The smallest complete module: a table, two endpoints, an event through the outbox and its handler.</summary>
public sealed class SampleModule : Module
{
    public const string Id = "sample";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        // The validation source generator only sees the assembly that calls AddValidation: every module calls it.
        module.Services.AddValidation();
        module.AddDbContext<SampleDbContext>(SampleDbContext.SchemaName)
            .Subscribe<NoteCreated, MarkNoteDelivered>(NoteCreated.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapNotesApi();
}
