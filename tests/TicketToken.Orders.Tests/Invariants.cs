namespace TicketToken.Orders.Tests;

/// <summary>Fails the test when a money or ticket invariant is broken (<see cref="PurchaseInvariants"/>).</summary>
public static class Invariants
{
    public static async Task CheckAsync(PostgresDatabase database, HttpClient client, Guid eventId) =>
        (await PurchaseInvariants.CheckAsync(database.ConnectionString, client, eventId)).Should().BeEmpty();
}
