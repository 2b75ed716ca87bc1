using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>Sales reports through the API: a paid order, a comp and a refund each show up where they belong, as JSON, CSV and an SVG chart.</summary>
public sealed class SalesReportTests(JourneyFixture fixture) : IClassFixture<JourneyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_sale_a_comp_and_a_refund_appear_in_the_report_per_ticket_type_and_day_as_json_csv_and_svg()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-1", "STALLS-B-1", "STALLS-B-2" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var paid = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var lines = paid.GetProperty("lines").EnumerateArray().ToList();
        var refundedLine = lines.Single(l => l.Text("seatId") == "STALLS-B-2");
        using (var request = admin.Request(HttpMethod.Post, $"/api/orders/{orderId}/refunds", new { lines = new[] { refundedLine.GetProperty("lineNumber").GetInt32() }, reason = "Double booking" }))
        {
            request.Headers.Add("Idempotency-Key", "report-refund");
            using var refund = await Client.SendAsync(request);
            await refund.ShouldBeAsync(HttpStatusCode.Accepted);
        }

        await fixture.OrderReachesAsync(fan, orderId, "partially_refunded");
        using (var comps = admin.Request(HttpMethod.Post, $"/api/orders/organizers/{organizerId}/events/{eventId}/comps"))
        {
            comps.Headers.Add("Idempotency-Key", "report-comps");
            comps.Content = new StringContent("name,reason,ticket_type\nAda Press,press,Standard\n", Encoding.UTF8, "text/csv");
            using var issued = await Client.SendAsync(comps);
            await fixture.OrderReachesAsync(admin, (await issued.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid(), "confirmed");
        }

        using var json = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/sales");
        var report = await json.ShouldBeAsync(HttpStatusCode.OK);

        long Sum(IEnumerable<JsonElement> of, string property) => of.Sum(l => l.GetProperty(property).GetInt64());
        var standard = lines.Where(l => l.Text("ticketType") == "Standard").ToList();
        var premium = lines.Where(l => l.Text("ticketType") == "Premium").ToList();
        var types = report.GetProperty("ticketTypes").EnumerateArray().ToDictionary(t => t.Text("ticketType"), t => t.GetProperty("figures"));
        types.Keys.Should().BeEquivalentTo(["Premium", "Standard"]);
        Figures(types["Premium"]).Should().Be((1, 0, 0, Sum(premium, "total"), Sum(premium, "fees"), 0L, Sum(premium, "total") - Sum(premium, "fees")));
        var keptFees = Sum(standard, "fees") - refundedLine.GetProperty("fees").GetInt64();
        var refunded = refundedLine.GetProperty("total").GetInt64();
        Figures(types["Standard"]).Should().Be((2, 1, 1, Sum(standard, "total"), keptFees, refunded, Sum(standard, "total") - refunded - keptFees),
            "two standard seats sold, one refunded in full (fees too), and the press comp counted apart, for nothing");
        var totals = report.GetProperty("totals");
        totals.GetProperty("netMinor").GetInt64().Should().Be(Sum(lines, "total") - refunded - (Sum(lines, "fees") - refundedLine.GetProperty("fees").GetInt64()));
        report.Text("currency").Should().Be("EUR");

        var days = report.GetProperty("days").EnumerateArray().ToList();
        var refundDay = DateOnly.FromDateTime(await fixture.Database.ScalarAsync<DateTime>("select completed_at from orders.refunds where order_id = $1", orderId));
        days.Where(d => d.Text("ticketType") == "Standard" && d.GetProperty("figures").GetProperty("refunded").GetInt32() == 1).Select(d => d.Text("date"))
            .Should().Equal([refundDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], "a refund counts on the day it completed");
        days.GroupBy(d => d.Text("ticketType")).ToDictionary(g => g.Key, g => g.Sum(d => d.GetProperty("figures").GetProperty("sold").GetInt32()))
            .Should().Equal(new Dictionary<string, int> { ["Premium"] = 1, ["Standard"] = 2 }, "the days add up to the totals");

        using var csv = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/sales?format=csv");
        csv.StatusCode.Should().Be(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].Should().Be("date,ticket_type_id,ticket_type,sold,comps,refunded,gross_minor,fees_minor,refunded_minor,net_minor,currency");
        rows.Skip(1).Should().HaveCount(days.Count);
        rows.Skip(1).Select(r => r.Split(',')).Sum(r => long.Parse(r[9], CultureInfo.InvariantCulture)).Should().Be(totals.GetProperty("netMinor").GetInt64());

        using var svg = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/sales.svg");
        svg.StatusCode.Should().Be(HttpStatusCode.OK);
        svg.Content.Headers.ContentType!.MediaType.Should().Be("image/svg+xml");
        var chart = XDocument.Parse(await svg.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";
        chart.Root!.Name.Should().Be(ns + "svg");
        var bars = chart.Descendants(ns + "rect").Where(r => r.Attribute("data-kind") is not null).ToList();
        bars.Select(b => b.Attribute("data-kind")!.Value).Distinct().Should().BeEquivalentTo(["sold", "comps", "refunded"]);
        bars.Where(b => b.Attribute("data-kind")!.Value == "sold").Sum(b => double.Parse(b.Attribute("height")!.Value, CultureInfo.InvariantCulture))
            .Should().BeGreaterThan(bars.Where(b => b.Attribute("data-kind")!.Value == "comps").Sum(b => double.Parse(b.Attribute("height")!.Value, CultureInfo.InvariantCulture)),
                "three tickets sold stand taller than one comp");
        chart.Descendants(ns + "g").Select(g => g.Attribute("data-date")!.Value).Should().Equal(report.GetProperty("daily").EnumerateArray().Select(d => d.Text("date")));
    }

    [Fact]
    public async Task Only_the_organizers_own_admins_read_its_sales()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync();
        var (otherAdmin, otherOrganizer) = await fixture.Personas.OrganizerAdminAsync();
        var fan = await fixture.Personas.FanAsync();

        foreach (var path in new[] { "sales", "sales?format=csv", "sales.svg" })
        {
            using var byOther = await Client.SendAsync(otherAdmin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/{path}");
            using var foreignEvent = await Client.SendAsync(otherAdmin, HttpMethod.Get, $"/api/orders/organizers/{otherOrganizer}/events/{eventId}/{path}");
            using var byFan = await Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/{path}");
            using var own = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/{path}");

            await byOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
            await foreignEvent.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
            byFan.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            own.StatusCode.Should().Be(HttpStatusCode.OK, path);
        }

        using var badFormat = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/sales?format=xlsx");
        badFormat.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private static (int, int, int, long, long, long, long) Figures(JsonElement f) =>
        (f.GetProperty("sold").GetInt32(), f.GetProperty("comps").GetInt32(), f.GetProperty("refunded").GetInt32(), f.GetProperty("grossMinor").GetInt64(),
         f.GetProperty("feesMinor").GetInt64(), f.GetProperty("refundedMinor").GetInt64(), f.GetProperty("netMinor").GetInt64());
}
