using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.PubSub;

namespace TicketToken.BuildingBlocks.Data;

/// <summary>Wakes a context's outbox relay when one of its transactions committed events.</summary>
#pragma warning disable CA1812, S2326 // TContext keys one signal per module context in DI
public sealed class OutboxSignal<TContext> : IDisposable where TContext : ModuleDbContext
#pragma warning restore CA1812, S2326
{
    public AsyncSignal Signal { get; } = new();

    public void Dispose() => Signal.Dispose();
}

/// <summary>
/// Notices outbox rows in a save and rings the relay once they are committed, and tells the context when what it saved
/// is committed or rolled back (<see cref="ModuleDbContext.OnCommitted"/>). One instance serves every context of the
/// type (the options are built once, so contexts can be pooled): what a save left pending is kept on the context.
/// </summary>
internal sealed class OutboxSaveInterceptor<TContext>(OutboxSignal<TContext> signal) : SaveChangesInterceptor, IDbTransactionInterceptor
    where TContext : ModuleDbContext
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ModuleDbContext context && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            context.OutboxPending = true;
        }

        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ModuleDbContext context && context.Database.CurrentTransaction is null)
        {
            Committed(context);
        }

        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is ModuleDbContext context)
        {
            Committed(context);
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => (eventData.Context as ModuleDbContext)?.OnRolledBack();

    private void Committed(ModuleDbContext context)
    {
        if (context.OutboxPending)
        {
            context.OutboxPending = false;
            signal.Signal.Notify();
        }

        context.OnCommitted();
    }
}

/// <summary>
/// Moves a module's committed outbox rows to pub/sub. A row is deleted in the same transaction that read
/// it, after it was published; a crash in between publishes it again with the same CloudEvent id,
/// which the subscribers' inboxes recognise.
/// </summary>
internal sealed class OutboxRelay<TContext>(
    string appId,
    string schema,
    IServiceProvider services,
    OutboxSignal<TContext> signal,
    RuntimeReadiness readiness,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService
    where TContext : ModuleDbContext
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.WaitAsync(stoppingToken);
        var publisher = services.GetRequiredKeyedService<IEventPublisher>(appId);
        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(appId);
        var retry = Resilience.Forever(logger, $"Relaying the {schema} outbox");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var relayed = await retry.ExecuteAsync(async token => await RelayBatchAsync(dataSource, publisher, token), stoppingToken);
                if (relayed == BatchSize)
                {
                    continue;
                }

                await signal.Signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<int> RelayBatchAsync(NpgsqlDataSource dataSource, IEventPublisher publisher, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = new List<(Guid Id, string PubSub, string Topic, string Type, string Data, string? TraceParent)>();
        await using (var select = new NpgsqlCommand(
            $"select id, pubsub_name, topic, type, data::text, trace_parent from {schema}.outbox_messages order by seq limit {BatchSize} for update skip locked",
            connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                batch.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5)));
            }
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        var events = new List<PublishedEvent>(batch.Count);
        foreach (var message in batch)
        {
            var metadata = new Dictionary<string, string>
            {
                [PublishMetadata.CloudEventId] = message.Id.ToString(),
                [PublishMetadata.CloudEventType] = message.Type,
            };
            if (message.TraceParent is not null)
            {
                metadata[PublishMetadata.TraceParent] = message.TraceParent;
            }

            using var data = JsonDocument.Parse(message.Data);
            events.Add(new PublishedEvent(message.PubSub, message.Topic, data.RootElement.Clone(), metadata));
        }

        // The embedded runtime makes the whole batch durable in one commit (it used to be one per message, about 500
        // messages/s); other runtimes publish one by one. Either way, a crash before the delete below republishes
        // with the same CloudEvent ids, which the subscribers' inboxes recognise.
        if (publisher is IBatchEventPublisher batchPublisher)
        {
            await batchPublisher.PublishEventsAsync(events, cancellationToken);
        }
        else
        {
            foreach (var e in events)
            {
                await publisher.PublishEventAsync(e.PubSubName, e.TopicName, e.Data, e.Metadata, cancellationToken);
            }
        }

        await using (var delete = new NpgsqlCommand($"delete from {schema}.outbox_messages where id = any($1)", connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter { Value = batch.Select(m => m.Id).ToArray() });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogDebug("Relayed {Count} event(s) from the {Schema} outbox", batch.Count, schema);
        return batch.Count;
    }
}
