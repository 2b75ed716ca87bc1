namespace TicketToken.Scanning.Tests;

/// <summary>What a gate was told survives the host: a scan is answered only once its row is durable.</summary>
public sealed class RestartTests(ScanningFixture fixture) : IClassFixture<ScanningFixture>
{
    [Fact]
    public async Task After_a_restart_an_admitted_ticket_is_still_in_and_a_new_one_still_gets_in()
    {
        var venue = await fixture.VenueAsync();
        var admitted = await fixture.TicketAsync(venue);
        var exited = await fixture.TicketAsync(venue);
        var fresh = await fixture.TicketAsync(venue);
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, admitted.Current())).Allowed().Should().BeTrue();
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, exited.Current())).Allowed().Should().BeTrue();
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, exited.Current(), direction: "exit")).Allowed().Should().BeTrue();

        await fixture.RestartAsync();

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, admitted.Current())).Reason().Should().Be("duplicate", "the admission was durable before it was answered");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, exited.Current())).Reason().Should().Be("duplicate", "Standard: the exit does not reopen the window");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, fresh.Current())).Allowed().Should().BeTrue();
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where event_id = $1", venue.Event.EventId)).Should().Be(6);
    }
}
