using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Sample;
using TicketToken.Sample.Data;

namespace TicketToken.Sample.Subscriptions;

/// <summary>Records that a note's event arrived; the inbox makes a redelivery change nothing.</summary>
public sealed class MarkNoteDelivered(SampleDbContext db, TimeProvider time) : ITopicHandler<NoteCreated>
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
