using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace TicketToken.Scanning.Domain;

/// <summary>
/// Reads tickets' allowed scans (less conflicts) for their check-in actors, in groups: the activations that ask while a
/// read is running are answered together by the next one (one query with every ticket id), so a gate rush of first scans
/// costs a round trip per group rather than per ticket.
/// </summary>
public sealed class PassageReader : IAsyncDisposable
{
    private const int MaxGroup = 512;
    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<(Guid TicketId, TaskCompletionSource<List<Passage>> Done)> _queue =
        Channel.CreateUnbounded<(Guid, TaskCompletionSource<List<Passage>>)>();
    private readonly Task[] _readers;

    public PassageReader([FromKeyedServices(ScanningModule.Id)] NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _readers = [Task.Run(ReadLoopAsync), Task.Run(ReadLoopAsync)];
    }

    /// <summary>The ticket's passages in time order.</summary>
    public Task<List<Passage>> ReadAsync(Guid ticketId)
    {
        var done = new TaskCompletionSource<List<Passage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((ticketId, done)))
        {
            throw new InvalidOperationException("The passage reader is shutting down.");
        }

        return done.Task;
    }

    private async Task ReadLoopAsync()
    {
        var group = new List<(Guid TicketId, TaskCompletionSource<List<Passage>> Done)>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                var found = group.Select(g => g.TicketId).Distinct().ToDictionary(id => id, _ => new List<Passage>());
                await using var command = _dataSource.CreateCommand("""
                    select ticket_id, id, device_id, direction, scanned_at from scanning.scans s
                    where ticket_id = any($1) and allowed and not exists (select from scanning.conflicts c where c.scan_id = s.id)
                    order by ticket_id, scanned_at, id
                    """);
                command.Parameters.Add(new NpgsqlParameter { Value = found.Keys.ToArray() });
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        found[reader.GetGuid(0)].Add(new Passage(reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
                    }
                }

                foreach (var (ticketId, done) in group)
                {
                    done.TrySetResult([.. found[ticketId]]);
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in group)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_readers);
    }
}
