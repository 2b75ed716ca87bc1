using System.Net;

namespace TicketToken.Catalog.Tests;

/// <summary>Venues: created, read, listed and changed by the admins of their organizer; input checked with problem codes.</summary>
public sealed class VenueTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task An_admin_creates_reads_and_changes_a_venue_of_their_organizer()
    {
        var organizer = await fixture.OrganizerAsync();

        var created = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/venues", new
        {
            organizerId = organizer.Id,
            name = "  Philharmonie am Park ",
            address = new { line1 = "Parkallee 1", city = "Berlin", postalCode = "10785", country = "de" },
            timeZone = "Europe/Berlin",
            capacity = 2400,
        }, HttpStatusCode.Created);
        var id = created.Id();
        var read = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{id}");
        var changed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"/api/venues/{id}", new { capacity = 2500, timeZone = "America/New_York" });

        created.Text("name").Should().Be("Philharmonie am Park");
        created.GetProperty("organizerId").GetGuid().Should().Be(organizer.Id);
        created.GetProperty("address").Text("country").Should().Be("DE");
        read.Text("timeZone").Should().Be("Europe/Berlin");
        read.GetProperty("capacity").GetInt32().Should().Be(2400);
        changed.GetProperty("capacity").GetInt32().Should().Be(2500);
        changed.Text("timeZone").Should().Be("America/New_York");
        changed.Text("name").Should().Be("Philharmonie am Park");
    }

    [Fact]
    public async Task The_venue_list_shows_the_callers_own_venues_in_pages_that_do_not_overlap()
    {
        var organizer = await fixture.OrganizerAsync();
        var other = await fixture.OrganizerAsync("Other Live");
        var mine = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            mine.Add(await fixture.VenueAsync(organizer, name: $"Hall {i}"));
        }

        await fixture.VenueAsync(other, name: "Not mine");

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.Items().Select(v => v.Id()));
            cursor = page.NextCursor();
            pages++;
        }
        while (cursor is not null);

        pages.Should().Be(3);
        seen.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(mine);
        seen.Should().Equal(Enumerable.Reverse(mine), "newest first");
        var filtered = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues?organizerId={organizer.Id}");
        filtered.Items().Should().HaveCount(5);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("../../etc/passwd")]
    [InlineData("localtime")]
    public async Task A_time_zone_that_is_not_an_iana_zone_is_refused(string timeZone)
    {
        var organizer = await fixture.OrganizerAsync();

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/venues", HttpStatusCode.BadRequest, "invalid_time_zone",
            Catalog.VenueBody(organizer.Id, timeZone: timeZone));
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("UTC")]
    [InlineData("Asia/Kolkata")]
    public async Task Iana_time_zones_are_accepted(string timeZone)
    {
        var organizer = await fixture.OrganizerAsync();

        var venue = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/venues", Catalog.VenueBody(organizer.Id, timeZone: timeZone), HttpStatusCode.Created);

        venue.Text("timeZone").Should().Be(timeZone);
    }

    [Fact]
    public async Task Bad_venue_input_is_a_400_problem_with_a_code()
    {
        var organizer = await fixture.OrganizerAsync();

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/venues", HttpStatusCode.BadRequest, "invalid_country", new
        {
            organizerId = organizer.Id, name = "Hall", timeZone = "Europe/Berlin", capacity = 10,
            address = new { line1 = "Street 1", city = "Berlin", postalCode = "10785", country = "XX" },
        });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/venues", HttpStatusCode.BadRequest, "validation_failed", new
        {
            organizerId = organizer.Id, name = "Hall", timeZone = "Europe/Berlin", capacity = 0,
            address = new { line1 = "Street 1", city = "Berlin", postalCode = "10785", country = "DE" },
        });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/venues", HttpStatusCode.BadRequest, "validation_failed",
            new { organizerId = organizer.Id, name = "Hall", timeZone = "Europe/Berlin", capacity = 10 });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/venues", HttpStatusCode.BadRequest, "validation_failed",
            new { name = "Hall", timeZone = "Europe/Berlin", capacity = 10, address = new { line1 = "Street 1", city = "Berlin", postalCode = "10785", country = "DE" } });
        using var malformed = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, "/api/venues", "{\"name\": ", "application/json");
        await malformed.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Get, "/api/venues?cursor=garbage", HttpStatusCode.BadRequest, "invalid_cursor");
    }

    [Fact]
    public async Task Only_organizer_admins_manage_venues()
    {
        var fan = await fixture.Personas.FanAsync();
        var organizer = await fixture.OrganizerAsync();

        using var byFan = await fixture.Client.SendAsync(fan, HttpMethod.Post, "/api/venues", Catalog.VenueBody(organizer.Id));
        using var anonymous = await fixture.Client.SendAsync(null, HttpMethod.Get, "/api/venues");

        byFan.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
