using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Host.Tests.Notes.Data;

namespace TicketToken.Host.Tests.Notes;

/// <summary>Records that a note's event arrived; the inbox makes a redelivery change nothing.</summary>
public sealed class MarkNoteDelivered(NotesDbContext db, TimeProvider time) : ITopicHandler<NoteCreated>
{
    public async Task<TopicResult> HandleAsync(NoteCreated data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(nameof(MarkNoteDelivered), envelope.Id, async ct =>
        {
            if (await db.Notes.FindAsync([data.NoteId], ct) is { } note)
            {
                note.DeliveredAt ??= time.GetUtcNow();
                note.Deliveries++;
            }
        }, cancellationToken);
        return TopicResult.Success;
    }
}
