using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Tickets;
using TicketToken.Notifications.Subscriptions;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// The module's row per ticket is made by whichever of <c>tickets.issued</c> and the first <c>tickets.changed</c> arrives first, and
/// the two are delivered concurrently. Each test holds one side's insert open in a transaction of its own, lets the other
/// handler run into it, and only then commits: the handler must wait for the row and merge into it, not fail on the key.
/// </summary>
public sealed class TicketProjectionTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    private readonly Guid _eventId = Guid.NewGuid();
    private readonly Guid _organizerId = Guid.NewGuid();
    private readonly Guid _ownerId = Guid.NewGuid();

    [Fact]
    public async Task A_ticket_change_that_meets_the_issuance_inserting_the_same_row_waits_for_it_and_keeps_both_sides()
    {
        var ticketId = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await using var issuance = await UncommittedRowAsync(
            "insert into notifications.tickets (id, order_id, event_id, organizer_id, owner_id, label, status) values ($1, $2, $3, $4, $5, 'Standing (general admission)', 'issued')",
            ticketId, orderId, _eventId, _organizerId, _ownerId);
        var changed = new TicketChanged(ticketId, _eventId, _organizerId, _ownerId, Guid.NewGuid(), null, TicketStatuses.Active, 1, false, 2, DateTimeOffset.UtcNow);

        var result = await HandleAgainstAsync<RecordTicketChange, TicketChanged>(issuance, TicketChanged.Topic, changed);

        result.Should().Be(TopicResult.Success);
        (await RowAsync(ticketId)).Should().Be((orderId, "Standing (general admission)", TicketStatuses.Active, 2L));
    }

    [Fact]
    public async Task An_issuance_that_meets_the_first_ticket_change_inserting_the_same_row_waits_for_it_and_keeps_both_sides()
    {
        var ticketId = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await using var change = await UncommittedRowAsync(
            "insert into notifications.tickets (id, event_id, organizer_id, owner_id, status, sequence) values ($1, $2, $3, $4, 'active', 2)",
            ticketId, _eventId, _organizerId, _ownerId);
        var issued = new TicketsIssued(orderId, "TT-RACE0001", _eventId, _organizerId, _ownerId,
            [new TicketDetails(ticketId, 1, Guid.NewGuid(), "Standing", null, null, null, null, null, 4500, "EUR")], DateTimeOffset.UtcNow);

        var result = await HandleAgainstAsync<RecordIssuedTickets, TicketsIssued>(change, TicketsIssued.Topic, issued);

        result.Should().Be(TopicResult.Success);
        (await RowAsync(ticketId)).Should().Be((orderId, "Standing (general admission)", TicketStatuses.Active, 2L));
    }

    /// <summary>A connection with the row inserted in a transaction that is still open.</summary>
    private async Task<OpenInsert> UncommittedRowAsync(string sql, params object[] parameters)
    {
        var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await insert.ExecuteNonQueryAsync();
        return new OpenInsert(connection, transaction);
    }

    /// <summary>Runs the handler until its insert waits on <paramref name="open"/>'s row, then commits that row and returns the handler's answer.</summary>
    private async Task<TopicResult> HandleAgainstAsync<THandler, TEvent>(OpenInsert open, string topic, TEvent data) where THandler : ITopicHandler<TEvent>
    {
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var envelope = new CloudEvent { Id = Guid.NewGuid().ToString(), Source = "tickets", Type = topic, Topic = topic, PubSubName = PubSubNames.Default };
        var handling = scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(data, envelope, CancellationToken.None);
        await Eventually.TrueAsync(async () => handling.IsCompleted || await fixture.Database.ScalarAsync<long>(
            """
            select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where not l.granted and a.query ilike '%insert into notifications.tickets%'
            """) > 0, "the handler's insert waits for the open transaction's row");
        handling.IsCompleted.Should().BeFalse("the handler cannot finish while the row it must merge into is not committed");

        await open.Transaction.CommitAsync();
        return await handling;
    }

    private async Task<(Guid? OrderId, string? Label, string Status, long Sequence)> RowAsync(Guid ticketId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("select order_id, label, status, sequence from notifications.tickets where id = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = ticketId } },
        };
        await using var reader = await select.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue("the ticket has its row");
        return (reader.IsDBNull(0) ? null : reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetInt64(3));
    }

    private sealed record OpenInsert(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
