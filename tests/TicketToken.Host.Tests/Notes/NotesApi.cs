using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.Host.Tests.Notes.Data;

namespace TicketToken.Host.Tests.Notes;

public static class NotesApi
{
    public const string Route = "/api/test/notes";

    public static RouteGroupBuilder MapNotesApi(this IEndpointRouteBuilder app)
    {
        // Anonymous on purpose: this is a test module that only exists in the Host tests and holds no one's data.
        // The host's fallback policy requires a token on every endpoint that does not say otherwise.
        var group = app.MapGroup(Route).WithTags("Test notes").AllowAnonymous();
        group.MapPost("/", CreateNote).WithName("CreateTestNote").WithSummary("Creates a note and publishes notes.note-created in the same transaction.");
        group.MapGet("/{id:guid}", GetNote).WithName("GetTestNote").WithSummary("Reads a note, including whether its event came back.");
        return group;
    }

    public sealed record CreateNoteRequest([property: Required, StringLength(200, MinimumLength = 1)] string Text);

    public sealed record NoteResponse(Guid Id, string Text, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Deliveries);

    private static async Task<Created<NoteResponse>> CreateNote(CreateNoteRequest request, NotesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var note = new Note { Id = Guid.NewGuid(), Text = request.Text, CreatedAt = time.GetUtcNow() };
        db.Notes.Add(note);
        db.Publish(NoteCreated.Topic, new NoteCreated(note.Id, note.Text));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"{Route}/{note.Id}", ToResponse(note));
    }

    private static async Task<Results<Ok<NoteResponse>, NotFound>> GetNote(Guid id, NotesDbContext db, CancellationToken cancellationToken) =>
        await db.Notes.FindAsync([id], cancellationToken) is { } note ? TypedResults.Ok(ToResponse(note)) : TypedResults.NotFound();

    private static NoteResponse ToResponse(Note note) => new(note.Id, note.Text, note.CreatedAt, note.DeliveredAt, note.Deliveries);
}
