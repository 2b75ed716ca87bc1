using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Runtime.ConformanceHost.Data;

public sealed class ConformanceDbContext(DbContextOptions<ConformanceDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "conformance";

    public DbSet<Received> Received => Set<Received>();

    protected override void ConfigureModel(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Received>(received =>
        {
            received.ToTable("received");
            received.HasKey(r => new { r.Consumer, r.MessageId });
            received.Property(r => r.ReceivedAt).HasDefaultValueSql("now()");
        });
}

public sealed class Received
{
    public required string Consumer { get; set; }
    public required string MessageId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
