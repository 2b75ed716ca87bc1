using System.Net;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Tests;

/// <summary>Series: occurrences computed on the venue's wall clock, so a 20:00 show stays at 20:00 across daylight-saving changes.</summary>
public sealed class RecurrenceTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public async Task A_weekly_20_00_show_in_Berlin_stays_at_20_00_local_across_the_march_change()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer, timeZone: "Europe/Berlin");
        // Fridays from 15 March 2030; Berlin moves to summer time on Sunday 31 March 2030.
        var first = new DateTimeOffset(2030, 3, 15, 20, 0, 0, TimeSpan.FromHours(1));

        var series = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/events", Catalog.EventBody(organizer.Id, venue)
            .With("startsAt", first).With("endsAt", first.AddHours(2)).With("salesEndAt", first.AddHours(-1))
            .With("recurrence", new { frequency = "weekly", interval = 1, count = 4 })
            .With("ticketTypes", new[] { new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 2500 } }), HttpStatusCode.Created);
        var seriesId = series.Id("seriesId");
        var listed = (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events?seriesId={seriesId}")).Items();

        series.GetProperty("count").GetInt32().Should().Be(4);
        listed.Should().HaveCount(4);
        var starts = listed.Select(e => e.GetProperty("startsAt").GetDateTimeOffset()).ToList();
        starts.Select(s => s.UtcDateTime).Should().Equal(
            new DateTime(2030, 3, 15, 19, 0, 0, DateTimeKind.Utc), new DateTime(2030, 3, 22, 19, 0, 0, DateTimeKind.Utc),
            new DateTime(2030, 3, 29, 19, 0, 0, DateTimeKind.Utc), new DateTime(2030, 4, 5, 18, 0, 0, DateTimeKind.Utc));
        starts.Select(s => TimeZoneInfo.ConvertTime(s, Berlin)).Should().OnlyContain(local => local.Hour == 20 && local.Minute == 0 && local.DayOfWeek == DayOfWeek.Friday);
        listed.Should().OnlyContain(e => e.GetProperty("endsAt").GetDateTimeOffset() - e.GetProperty("startsAt").GetDateTimeOffset() == TimeSpan.FromHours(2));
        listed.Should().OnlyContain(e => e.GetProperty("startsAt").GetDateTimeOffset() - e.GetProperty("salesEndAt").GetDateTimeOffset() == TimeSpan.FromHours(1));
        listed.Should().OnlyContain(e => e.Id("seriesId") == seriesId && e.Text("status") == "draft");
        foreach (var occurrence in listed)
        {
            (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{occurrence.Id()}/ticket-types")).GetArrayLength().Should().Be(1);
        }

        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events?seriesId={seriesId}")).Items().Should().BeEmpty("drafts are the organizer's");
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{listed[3].Id()}/publish");
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events?seriesId={seriesId}")).Items().Select(e => e.Id()).Should().Equal(listed[3].Id());
    }

    [Fact]
    public async Task Weekly_rules_take_days_of_the_week_and_daily_rules_an_until_date()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer, timeZone: "America/New_York");
        var friday = new DateTimeOffset(2030, 5, 3, 19, 30, 0, TimeSpan.FromHours(-4));

        var weekly = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/events", Catalog.EventBody(organizer.Id, venue)
            .With("startsAt", friday).With("endsAt", friday.AddHours(2))
            .With("recurrence", new { frequency = "weekly", count = 5, byWeekDay = new[] { "TU", "friday" } }), HttpStatusCode.Created);
        var daily = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/events", Catalog.EventBody(organizer.Id, venue)
            .With("startsAt", friday).With("endsAt", friday.AddHours(2))
            .With("recurrence", new { frequency = "daily", interval = 2, until = "2030-05-11" }), HttpStatusCode.Created);

        weekly.GetProperty("events").EnumerateArray().Select(e => LocalDate(e, "America/New_York"))
            .Should().Equal(Dates("2030-05-03", "2030-05-07", "2030-05-10", "2030-05-14", "2030-05-17"));
        daily.GetProperty("events").EnumerateArray().Select(e => LocalDate(e, "America/New_York"))
            .Should().Equal(Dates("2030-05-03", "2030-05-05", "2030-05-07", "2030-05-09", "2030-05-11"));
    }

    [Theory]
    [InlineData("""{ "frequency": "daily", "count": 3, "until": "2030-12-31" }""", "invalid_recurrence")]
    [InlineData("""{ "frequency": "daily" }""", "invalid_recurrence")]
    [InlineData("""{ "frequency": "daily", "until": "2033-01-01" }""", "too_many_occurrences")]
    [InlineData("""{ "frequency": "daily", "count": 367 }""", "validation_failed")]
    [InlineData("""{ "frequency": "yearly", "count": 2 }""", "validation_failed")]
    [InlineData("""{ "frequency": "weekly", "count": 2, "byWeekDay": ["someday"] }""", "invalid_recurrence")]
    [InlineData("""{ "frequency": "daily", "count": 2, "byWeekDay": ["MO"] }""", "invalid_recurrence")]
    [InlineData("""{ "frequency": "daily", "until": "2020-01-01" }""", "invalid_recurrence")]
    public async Task A_rule_that_does_not_work_is_a_400_with_a_code(string rule, string code)
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var body = Catalog.EventBody(organizer.Id, venue).With("recurrence", System.Text.Json.JsonDocument.Parse(rule).RootElement);

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/events", HttpStatusCode.BadRequest, code, body);
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events?organizerId={organizer.Id}")).Items().Should().BeEmpty();
    }

    [Fact]
    public void A_monthly_rule_on_the_31st_skips_the_months_without_one()
    {
        var first = new DateTimeOffset(2030, 1, 31, 20, 0, 0, TimeSpan.FromHours(1));

        var starts = Recurrence.Occurrences(first, Berlin, new RecurrenceRule(RecurrenceFrequency.Monthly, 1, 4, null, []));

        starts.Select(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, Berlin).DateTime)).Should().Equal(Dates("2030-01-31", "2030-03-31", "2030-05-31", "2030-07-31"));
        starts.Select(s => TimeZoneInfo.ConvertTime(s, Berlin).Hour).Should().OnlyContain(hour => hour == 20);
    }

    [Fact]
    public void A_wall_clock_time_skipped_in_spring_moves_forward_and_one_repeated_in_autumn_takes_the_first()
    {
        var skipped = Recurrence.AtLocalTime(new DateTime(2030, 3, 31, 2, 30, 0), Berlin);
        var repeated = Recurrence.AtLocalTime(new DateTime(2030, 10, 27, 2, 30, 0), Berlin);

        skipped.UtcDateTime.Should().Be(new DateTime(2030, 3, 31, 1, 30, 0, DateTimeKind.Utc), "02:30 does not exist; 03:30 summer time does");
        repeated.UtcDateTime.Should().Be(new DateTime(2030, 10, 27, 0, 30, 0, DateTimeKind.Utc), "the first 02:30 is still summer time (+02:00)");
    }

    [Fact]
    public void Daily_occurrences_in_autumn_keep_the_local_time()
    {
        var first = new DateTimeOffset(2030, 10, 25, 20, 0, 0, TimeSpan.FromHours(2));

        var starts = Recurrence.Occurrences(first, Berlin, new RecurrenceRule(RecurrenceFrequency.Daily, 1, null, new DateOnly(2030, 10, 29), []));

        starts.Should().HaveCount(5);
        starts.Select(s => TimeZoneInfo.ConvertTime(s, Berlin).TimeOfDay).Should().OnlyContain(t => t == TimeSpan.FromHours(20));
        starts.Select(s => s.UtcDateTime.Hour).Should().Equal(18, 18, 19, 19, 19);
    }

    private static DateOnly LocalDate(System.Text.Json.JsonElement @event, string zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(@event.GetProperty("startsAt").GetDateTimeOffset(), TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime);

    private static DateOnly[] Dates(params string[] dates) => [.. dates.Select(d => DateOnly.Parse(d, System.Globalization.CultureInfo.InvariantCulture))];
}
