namespace TicketToken.Contracts.Sample;

/// <summary>Published by the sample module when a note is created (topic <see cref="Topic"/>).</summary>
public sealed record NoteCreated(Guid NoteId, string Text)
{
    public const string Topic = "sample.note-created";
}
