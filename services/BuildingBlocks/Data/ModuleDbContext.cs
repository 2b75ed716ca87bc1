using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Data;

/// <summary>
/// Base of a module's EF Core context: its own schema, snake_case names matching the SQL migrations,
/// an outbox (<see cref="Publish{T}"/> commits with <c>SaveChanges</c>) and an inbox
/// (<see cref="ProcessOnceAsync"/>) so a handler's effect happens once per event.
/// </summary>
public abstract class ModuleDbContext : DbContext
{
    protected ModuleDbContext(DbContextOptions options, string schema) : base(options) => Schema = schema;

    public string Schema { get; }

    /// <summary>
    /// A save queued events that are not committed yet (set and cleared by the outbox interceptor). A pooled context
    /// that goes back with it set rings the relay once more on its next commit: a wasted look at an empty outbox.
    /// </summary>
    internal bool OutboxPending { get; set; }

    /// <summary>
    /// Called once what this context saved is committed: after a save outside a transaction, or when the context's own
    /// transaction commits (a connection's transaction committed past EF is not seen). Called on the committing thread.
    /// </summary>
    protected internal virtual void OnCommitted()
    {
    }

    /// <summary>Called when the context's transaction rolled back: what was saved in it never happened.</summary>
    protected internal virtual void OnRolledBack()
    {
    }

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    /// <summary>Queues an integration event; it is published if and only if the next <c>SaveChanges</c> commits.</summary>
    public void Publish<T>(string topic, T data, string pubsubName = PubSubNames.Default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        OutboxMessages.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            PubSubName = pubsubName,
            Topic = topic,
            Type = topic,
            Data = JsonSerializer.Serialize(data, RuntimeJson.Options),
            TraceParent = Activity.Current?.Id,
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> and saves its changes in one transaction that also records
    /// (<paramref name="consumer"/>, <paramref name="messageId"/>); a message already recorded is skipped.
    /// Returns false when it was a duplicate.
    /// </summary>
    public async Task<bool> ProcessOnceAsync(string consumer, string messageId, Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
#pragma warning disable EF1002 // the schema is the module's constant, never input
        var recorded = await Database.ExecuteSqlRawAsync(
            $"insert into {Schema}.inbox_messages (consumer, message_id) values ({{0}}, {{1}}) on conflict do nothing",
            [consumer, messageId], cancellationToken);
#pragma warning restore EF1002
        if (recorded == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await work(cancellationToken);
        await SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    protected sealed override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Id);
            outbox.Property(m => m.Seq).ValueGeneratedOnAdd();
            outbox.Property(m => m.PubSubName).HasColumnName("pubsub_name");
            outbox.Property(m => m.Data).HasColumnType("jsonb");
            outbox.Property(m => m.CreatedAt).HasDefaultValueSql("now()");
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.Consumer, m.MessageId });
            inbox.Property(m => m.ProcessedAt).HasDefaultValueSql("now()");
        });
        ConfigureModel(modelBuilder);
        UseSnakeCaseNames(modelBuilder);
    }

    /// <summary>The module's own entities.</summary>
    protected abstract void ConfigureModel(ModelBuilder modelBuilder);

    private static void UseSnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table)
            {
                entity.SetTableName(SnakeCase(table));
            }

            var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName(store) is { } column && column == property.Name)
                {
                    property.SetColumnName(SnakeCase(property.Name));
                }
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}

public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public long Seq { get; set; }
    public required string PubSubName { get; set; }
    public required string Topic { get; set; }
    public required string Type { get; set; }
    public required string Data { get; set; }
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class InboxMessage
{
    public required string Consumer { get; set; }
    public required string MessageId { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}
