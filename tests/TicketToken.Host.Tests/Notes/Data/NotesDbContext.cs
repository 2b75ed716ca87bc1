using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Host.Tests.Notes.Data;

public sealed class NotesDbContext(DbContextOptions<NotesDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "notes";

    public DbSet<Note> Notes => Set<Note>();

    protected override void ConfigureModel(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Note>(note =>
        {
            note.ToTable("notes");
            note.HasKey(n => n.Id);
        });
}

public sealed class Note
{
    public Guid Id { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set by the note's own <c>notes.note-created</c> event coming back through pub/sub.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }
    public int Deliveries { get; set; }
}
