using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Host.Tests.Notes.Data;

namespace TicketToken.Host.Tests.Notes;

/// <summary>
/// A test-only module that exercises the whole module plumbing with nothing else in the way: its own schema and
/// migration, two endpoints, an event that leaves through the outbox and comes back through pub/sub to an
/// idempotent handler. It is never part of the product (not in <see cref="HostModules"/>); tests add it through
/// <see cref="HostWithNotesFixture"/>.
/// </summary>
public sealed class NotesModule : Module
{
    public const string Id = "notes";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        // The validation source generator only sees the assembly that calls AddValidation: every module calls it.
        module.Services.AddValidation();
        module.AddDbContext<NotesDbContext>(NotesDbContext.SchemaName)
            .Subscribe<NoteCreated, MarkNoteDelivered>(NoteCreated.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapNotesApi();
}

/// <summary>Published by the notes test module when a note is created (topic <see cref="Topic"/>).</summary>
public sealed record NoteCreated(Guid NoteId, string Text)
{
    public const string Topic = "notes.note-created";
}
