using System.Net;

namespace TicketToken.Catalog.Tests;

/// <summary>An organizer can forbid wallet passes for an event (only the app's rotating code then admits): stored, shown, changed while draft, announced.</summary>
public sealed class WalletPassesTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task Wallet_passes_are_allowed_unless_the_organizer_says_otherwise_and_the_choice_can_change_while_draft()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        var plain = await fixture.EventAsync(organizer, venue);
        var appOnly = await fixture.EventAsync(organizer, venue, change: body => body["walletPassesAllowed"] = false);
        var changed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{appOnly.Id()}", new { walletPassesAllowed = true });
        var renamed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{plain.Id()}", new { name = "Renamed" });

        plain.GetProperty("walletPassesAllowed").GetBoolean().Should().BeTrue("an event that says nothing allows them, as before the choice existed");
        appOnly.GetProperty("walletPassesAllowed").GetBoolean().Should().BeFalse();
        changed.GetProperty("walletPassesAllowed").GetBoolean().Should().BeTrue();
        renamed.GetProperty("walletPassesAllowed").GetBoolean().Should().BeTrue("a change that does not name it keeps it");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{plain.Id()}", HttpStatusCode.BadRequest, "invalid_json",
            new { walletPassesAllowed = "no" });
    }

    [Fact]
    public async Task The_announcement_says_whether_wallet_passes_are_allowed()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        var appOnly = await fixture.PublishedEventAsync(organizer, venue, body => body["walletPassesAllowed"] = false);
        var plain = await fixture.PublishedEventAsync(organizer, venue);

        var forbidding = await fixture.Events.WaitForAsync(Contracts.Catalog.EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == appOnly.Id());
        var allowing = await fixture.Events.WaitForAsync(Contracts.Catalog.EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == plain.Id());
        forbidding.GetProperty("walletPassesAllowed").GetBoolean().Should().BeFalse();
        allowing.GetProperty("walletPassesAllowed").GetBoolean().Should().BeTrue();
    }
}
