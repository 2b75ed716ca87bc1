using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.Contracts.Sample;
using TicketToken.Sample.Data;

namespace TicketToken.Sample.Apis;

public static class NotesApi
{
    public static RouteGroupBuilder MapNotesApi(this IEndpointRouteBuilder app)
    {
        // Anonymous on purpose: the sample module shows the plumbing and holds no one's data.
        var group = app.MapGroup("/api/sample/notes").WithTags("Sample").AllowAnonymous();
        group.MapPost("/", CreateNote).WithName("CreateSampleNote").WithSummary("Creates a note and publishes sample.note-created in the same transaction.");
        group.MapGet("/{id:guid}", GetNote).WithName("GetSampleNote").WithSummary("Reads a note, including whether its event came back.");
        return group;
    }

    public sealed record CreateNoteRequest([property: Required, StringLength(200, MinimumLength = 1)] string Text);

    public sealed record NoteResponse(Guid Id, string Text, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Deliveries);

    private static async Task<Created<NoteResponse>> CreateNote(CreateNoteRequest request, SampleDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var note = new Note { Id = Guid.NewGuid(), Text = request.Text, CreatedAt = time.GetUtcNow() };
        db.Notes.Add(note);
        db.Publish(NoteCreated.Topic, new NoteCreated(note.Id, note.Text));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/sample/notes/{note.Id}", ToResponse(note));
    }

    private static async Task<Results<Ok<NoteResponse>, NotFound>> GetNote(Guid id, SampleDbContext db, CancellationToken cancellationToken) =>
        await db.Notes.FindAsync([id], cancellationToken) is { } note ? TypedResults.Ok(ToResponse(note)) : TypedResults.NotFound();

    private static NoteResponse ToResponse(Note note) => new(note.Id, note.Text, note.CreatedAt, note.DeliveredAt, note.Deliveries);
}
