using System.Net;

namespace TicketToken.Catalog.Tests;

/// <summary>
/// Browsing without an account: announced events only, found by text, dates, city and category, in pages ordered by
/// start that never overlap. Each test tags its events with a word of its own so that tests do not see each other's.
/// </summary>
public sealed class BrowseTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task Anonymous_browsing_shows_announced_events_and_hides_drafts_and_cancelled_ones()
    {
        var tag = Tag();
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var draft = (await fixture.EventAsync(organizer, venue, change: b => b["name"] = $"{tag} draft")).Id();
        var published = (await fixture.PublishedEventAsync(organizer, venue, b => b["name"] = $"{tag} published")).Id();
        var onSale = (await fixture.PublishedEventAsync(organizer, venue, b => b["name"] = $"{tag} on sale")).Id();
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{onSale}/open-sales");
        var cancelled = (await fixture.PublishedEventAsync(organizer, venue, b => b["name"] = $"{tag} cancelled")).Id();
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{cancelled}/cancel", new { reason = "Weather" });

        var anonymous = (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events?q={tag}")).Items();
        var own = (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events?q={tag}&organizerId={organizer.Id}")).Items();

        anonymous.Select(e => e.Id()).Should().BeEquivalentTo([published, onSale]);
        anonymous.Should().OnlyContain(e => e.GetProperty("venue").Text("city") == "Berlin" && e.GetProperty("venue").Text("timeZone") == "Europe/Berlin");
        own.Select(e => e.Id()).Should().BeEquivalentTo([draft, published, onSale, cancelled]);
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, $"/api/events/{draft}", HttpStatusCode.NotFound, "event_not_found");
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{published}")).Text("status").Should().Be("published");
    }

    [Fact]
    public async Task Events_are_found_by_text_city_category_and_dates()
    {
        var tag = Tag();
        var organizer = await fixture.OrganizerAsync();
        var berlin = await fixture.VenueAsync(organizer, city: "Berlin");
        var hamburg = await fixture.VenueAsync(organizer, city: "Hamburg");
        var soon = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(10).AddHours(19), TimeSpan.Zero);
        var later = soon.AddDays(20);
        var jazz = (await fixture.PublishedEventAsync(organizer, berlin, b => b.With("name", $"{tag} Late Night Jazz").With("category", "Jazz")
            .With("startsAt", soon).With("endsAt", soon.AddHours(3)))).Id();
        var opera = (await fixture.PublishedEventAsync(organizer, hamburg, b => b.With("name", $"{tag} Carmen").With("category", "opera")
            .With("description", "Bizet's opera with 100% passion").With("startsAt", later).With("endsAt", later.AddHours(3)))).Id();

        async Task<List<Guid>> Find(string query) => [.. (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events?{query}")).Items().Select(e => e.Id())];

        (await Find($"q={tag}")).Should().Equal(jazz, opera);
        (await Find($"q={tag.ToUpperInvariant()}")).Should().Equal(jazz, opera);
        (await Find($"q={tag}%20late%20NIGHT")).Should().Equal(jazz);
        (await Find("q=BIZET")).Should().Contain(opera).And.NotContain(jazz);
        (await Find($"q={tag}&city=hamburg")).Should().Equal(opera);
        (await Find($"q={tag}&category=JAZZ")).Should().Equal(jazz);
        (await Find($"q={tag}&from={Uri.EscapeDataString(soon.AddDays(1).ToString("O"))}")).Should().Equal(opera);
        (await Find($"q={tag}&to={Uri.EscapeDataString(soon.AddDays(1).ToString("O"))}")).Should().Equal(jazz);
        (await Find("q=100%25")).Should().Contain(opera, "% is matched literally");
        (await Find("q=%25")).Should().Contain(opera).And.NotContain(jazz, "a lone % is a character, not a wildcard");
        (await Find($"q={tag}&city=Hambur")).Should().BeEmpty("the city is matched whole");
    }

    [Fact]
    public async Task Cursor_pages_follow_the_start_time_and_never_overlap()
    {
        var tag = Tag();
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var first = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(40).AddHours(18), TimeSpan.Zero);
        var ids = new List<(DateTimeOffset Start, Guid Id)>();
        // Seven events, two pairs sharing a start time so the id decides between them; created in a scrambled order.
        foreach (var offset in new[] { 3, 0, 5, 1, 3, 6, 0 })
        {
            var start = first.AddDays(offset);
            ids.Add((start, (await fixture.PublishedEventAsync(organizer, venue, b => b.With("name", $"{tag} show").With("startsAt", start).With("endsAt", start.AddHours(2)))).Id()));
        }

        var pages = new List<List<(DateTimeOffset, Guid)>>();
        string? cursor = null;
        do
        {
            var page = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events?q={tag}&limit=3{(cursor is null ? "" : $"&cursor={cursor}")}");
            pages.Add([.. page.Items().Select(e => (e.GetProperty("startsAt").GetDateTimeOffset(), e.Id()))]);
            cursor = page.NextCursor();
        }
        while (cursor is not null);

        pages.Select(p => p.Count).Should().Equal(3, 3, 1);
        var all = pages.SelectMany(p => p).ToList();
        all.Select(e => e.Item2).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(ids.Select(i => i.Id));
        all.Select(e => e.Item1).Should().BeInAscendingOrder();
        all.Select(e => e.Item1).Should().Equal(ids.Select(i => i.Start).Order());
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, "/api/events?cursor=not-a-cursor", HttpStatusCode.BadRequest, "invalid_cursor");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, "/api/events?limit=0", HttpStatusCode.BadRequest, "invalid_limit");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, "/api/events?from=yesterday", HttpStatusCode.BadRequest, "invalid_request");
    }

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..10];
}
