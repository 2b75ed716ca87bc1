using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;
using TicketToken.Testing;
using Xunit.Abstractions;

namespace TicketToken.Inventory.Tests;

public sealed class SeatMapPictureTests(InventoryFixture fixture, ITestOutputHelper output) : IClassFixture<InventoryFixture>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public async Task The_seat_map_names_every_section_and_row_and_prices_every_seat_in_its_tooltip()
    {
        var published = TestEvents.Reserved(sections: 2, rows: 3, seatsPerRow: 5, blocked: id => id == "B1-3-5") with { Name = "Opening night" };
        published = published with { PriceZones = [new PublishedPriceZone("A", "Front stalls", "#d81b60"), new PublishedPriceZone("B", "Rear stalls", "#039be5")] };
        var e = await fixture.PublishAsync(published);
        var fan = await fixture.Personas.FanAsync();
        await fixture.Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-1-3" } });
        var sold = await fixture.Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-1-4" } });
        var committed = await fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(e.EventId, fan.UserId), InventoryActors.BuyerHolds)
            .CommitHoldAsync(new CommitHold(sold.GetProperty("holdId").GetGuid(), Guid.NewGuid()));
        committed.Failure.Should().BeNull();

        using var response = await fixture.Client.GetAsync($"/api/inventory/events/{e.EventId}/seatmap.svg");
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/svg+xml");
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync());

        var sections = document.Descendants(Svg + "g").Where(g => g.Attribute("data-section") is not null).ToList();
        sections.Select(s => s.Attribute("data-section")!.Value).Should().Equal("A1", "B1");
        foreach (var section in sections)
        {
            section.Elements(Svg + "rect").Should().Contain(r => (string?)r.Attribute("class") == "sec", "each section is outlined");
            var labels = section.Elements(Svg + "text").Select(t => t.Value).ToList();
            labels.Should().Contain($"Block {section.Attribute("data-section")!.Value}", "each section carries its name");
            labels.Should().Contain(["1", "2", "3"], "each row carries its label");
        }

        document.Descendants(Svg + "g").Single(g => g.Attribute("data-stage") is not null).Value.Should().Be("STAGE");
        var seats = Seats(document);
        seats.Should().HaveCount(30);
        foreach (var seat in seats)
        {
            var id = seat.Attribute("data-seat")!.Value;
            var price = id.Split('-')[1] is "1" or "2" ? "Front stalls EUR 85.00" : "Rear stalls EUR 45.00";
            seat.Element(Svg + "title")!.Value.Should().Contain($"row {id.Split('-')[1]}, seat {id.Split('-')[2]}").And.Contain(price);
        }

        Seat(seats, "A1-1-3").Attribute("data-status")!.Value.Should().Be("held");
        Seat(seats, "A1-1-3").Element(Svg + "title")!.Value.Should().EndWith("(held)");
        Classes(Seat(seats, "A1-1-3")).Should().Contain("h");
        Classes(Seat(seats, "A1-1-4")).Should().Contain("x");
        Seat(seats, "A1-1-4").Attribute("data-status")!.Value.Should().Be("sold");
        Classes(Seat(seats, "B1-3-5")).Should().Contain("b");
        Seat(seats, "A1-2-1").Name.Should().Be(Svg + "rect", "accessible seats are drawn square");
        Seat(seats, "A1-2-1").Element(Svg + "title")!.Value.Should().Contain("wheelchair space");
        Classes(Seat(seats, "A1-2-2")).Should().Contain("c", "companion seats are ringed");
        seats.Count(s => s.Attribute("data-status")!.Value == "available").Should().Be(27);

        var legend = document.Descendants(Svg + "g").Single(g => g.Attribute("data-legend") is not null);
        legend.Elements(Svg + "text").Select(t => t.Value).Should().Contain(["Front stalls: EUR 85.00", "Rear stalls: EUR 45.00", "held", "sold"]);
        var style = document.Descendants(Svg + "style").Single().Value;
        style.Should().Contain(".z0{fill:#d81b60}").And.Contain(".z1{fill:#039be5}", "zones take the organizer's colours");
        Classes(Seat(seats, "A1-2-3")).Should().Contain("z0");
        (Position(Seat(seats, "A1-1-4")).X - Position(Seat(seats, "A1-1-3")).X).Should().BeApproximately(10, 0.1, "neighbours are one seat pitch apart, whatever the map's units");
        Classes(Seat(seats, "A1-3-3")).Should().Contain("z1");
    }

    [Fact]
    public void Seats_with_coordinates_keep_their_layout_and_the_rest_get_a_grid()
    {
        var plan = Plan(TestEvents.Reserved(sections: 1, rows: 2, seatsPerRow: 3));
        var withCoordinates = new[] { Section("A1", ("1", 0, 0), ("1", 10, 0), ("2", 0, 10)) };
        var without = new[] { Section("A1", ("1", 0, 0), ("1", 0, 0), ("2", 0, 0)) };

        var placed = Seats(XDocument.Parse(SeatMapPicture.Draw(plan, withCoordinates)));
        var grid = Seats(XDocument.Parse(SeatMapPicture.Draw(plan, without)));

        Position(placed[1]).X.Should().BeGreaterThan(Position(placed[0]).X);
        Position(placed[2]).Y.Should().BeGreaterThan(Position(placed[0]).Y);
        (Position(placed[1]).X - Position(placed[0]).X).Should().BeApproximately(Position(placed[2]).Y - Position(placed[0]).Y, 0.2,
            "the scale is the same on both axes");
        Position(grid[1]).X.Should().BeApproximately(Position(grid[0]).X + 10, 0.01, "a grid row is evenly spaced");
        Position(grid[2]).Y.Should().BeApproximately(Position(grid[0]).Y + 10, 0.01, "rows stack in order");
        Position(grid[2]).X.Should().Be(Position(grid[0]).X, "each row starts at the section's left edge");

        // Catalog's grid: a section's seats one unit apart, the next section two empty seats further on.
        var sideBySide = XDocument.Parse(SeatMapPicture.Draw(plan, [Section("A1", ("1", 0, 0), ("1", 1, 0)), Section("B1", ("1", 4, 0), ("1", 5, 0))]));
        var outlines = sideBySide.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "sec")
            .Select(r => (Left: Number(r, "x"), Right: Number(r, "x") + Number(r, "width"))).ToList();
        outlines.Should().HaveCount(2);
        outlines[0].Right.Should().BeLessThan(outlines[1].Left, "sections two seats apart on the map are not drawn over each other");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_20000_seat_map_stays_small_once_gzipped(bool coordinates)
    {
        var published = TestEvents.Reserved(sections: 20, rows: 25, seatsPerRow: 40);
        var sections = published.Sections.Select(s => new SectionStatus(s.Code, s.Name, [],
            [.. s.Rows.SelectMany(r => r.Seats.Select(seat => new SeatState(seat.Id, r.Label, seat.Number, seat.PriceZone,
                coordinates ? seat.X : 0, coordinates ? seat.Y : 0, seat.Number == "7" ? "sold" : "available", seat.Accessible, seat.Companion)))])).ToList();

        var svg = Encoding.UTF8.GetBytes(SeatMapPicture.Draw(Plan(published), sections));
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(svg);
        }

        output.WriteLine($"20,000 seats ({(coordinates ? "at their coordinates" : "on the grid")}): {svg.Length:N0} bytes of SVG, {gzipped.Length:N0} bytes gzipped");
        var document = XDocument.Parse(Encoding.UTF8.GetString(svg));
        Seats(document).Should().HaveCount(20_000);
        var positions = Seats(document).Select(Position).ToList();
        positions.Distinct().Should().HaveCount(20_000, "no two seats are drawn on top of each other");
        gzipped.Length.Should().BeLessThan(400_000, "a fan's phone downloads it on a stadium's mobile network");
    }

    [ToolFact("chromium", "chromium")]
    public async Task Chromium_renders_the_seat_map_to_a_picture_of_its_size()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 3, rows: 6, seatsPerRow: 12) with
        {
            PriceZones = [new PublishedPriceZone("A", "Front", "#d81b60"), new PublishedPriceZone("B", "Back", "#039be5")],
        });
        var svg = await fixture.Client.GetStringAsync($"/api/inventory/events/{e.EventId}/seatmap.svg");
        var root = XDocument.Parse(svg).Root!;
        var width = (int)Math.Ceiling(double.Parse(root.Attribute("width")!.Value, CultureInfo.InvariantCulture));
        var height = (int)Math.Ceiling(double.Parse(root.Attribute("height")!.Value, CultureInfo.InvariantCulture));
        var directory = Directory.CreateTempSubdirectory("seatmap-");
        try
        {
            var source = Path.Combine(directory.FullName, "seatmap.svg");
            var picture = Path.Combine(directory.FullName, "seatmap.png");
            await File.WriteAllTextAsync(source, svg);

            var (exitCode, log) = await RunAsync(ToolFactAttribute.Find("chromium")!, directory.FullName,
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={Path.Combine(directory.FullName, "profile")}",
                $"--window-size={width},{height}", $"--screenshot={picture}", new Uri(source).AbsoluteUri);

            exitCode.Should().Be(0, log);
            File.Exists(picture).Should().BeTrue(log);
            var png = Png.Read(await File.ReadAllBytesAsync(picture));
            (png.Width, png.Height).Should().Be((width, height));
            // An XML error would render chromium's error page instead; the zone colours only appear if the map was drawn.
            png.Count(Png.Rgb("#d81b60")).Should().BeGreaterThan(100, "the zone A seats are drawn in its colour");
            png.Count(Png.Rgb("#039be5")).Should().BeGreaterThan(100, "the zone B seats are drawn in its colour");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string file, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(patience.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static EventPlan Plan(EventPublished published) =>
        new(published.EventId, published.OrganizerId, published.Name, false, published.SalesStartAt, published.SalesEndAt, published.Limits,
            [.. published.Sections.Select(s => new PlannedSection(s.Code, s.Name, []))], published.TicketTypes, published.Version, published.Currency, published.PriceZones);

    private static SectionStatus Section(string code, params (string Row, double X, double Y)[] seats) =>
        new(code, code, [], [.. seats.Select((s, i) => new SeatState($"{code}-{s.Row}-{i}", s.Row, i.ToString(CultureInfo.InvariantCulture), "A", s.X, s.Y, "available", false))]);

    private static double Number(XElement element, string attribute) => double.Parse(element.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    private static List<XElement> Seats(XDocument document) => [.. document.Descendants().Where(x => x.Attribute("data-seat") is not null)];

    private static XElement Seat(List<XElement> seats, string id) => seats.Single(s => s.Attribute("data-seat")!.Value == id);

    private static string[] Classes(XElement seat) => (seat.Attribute("class")?.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static (double X, double Y) Position(XElement seat) => seat.Name.LocalName == "circle"
        ? (double.Parse(seat.Attribute("cx")!.Value, CultureInfo.InvariantCulture), double.Parse(seat.Attribute("cy")!.Value, CultureInfo.InvariantCulture))
        : (double.Parse(seat.Attribute("x")!.Value, CultureInfo.InvariantCulture) + 4, double.Parse(seat.Attribute("y")!.Value, CultureInfo.InvariantCulture) + 4);

    /// <summary>
    /// Just enough of PNG to count pixels of a colour in chromium's screenshot (8-bit RGB or RGBA, not interlaced):
    /// the test image decoders on the feed are not referenced by this project, and the format is a page of the spec.
    /// </summary>
    private sealed record Png(int Width, int Height, int Channels, byte[] Pixels)
    {
        public static Png Read(byte[] file)
        {
            var width = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(16));
            var height = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(20));
            var (depth, colourType, interlace) = (file[24], file[25], file[28]);
            (depth, interlace).Should().Be(((byte)8, (byte)0), "chromium writes 8-bit, non-interlaced screenshots");
            var channels = colourType switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"colour type {colourType}") };
            using var compressed = new MemoryStream();
            for (var at = 8; at < file.Length;)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
                if (Encoding.ASCII.GetString(file, at + 4, 4) == "IDAT")
                {
                    compressed.Write(file, at + 8, length);
                }

                at += 12 + length;
            }

            compressed.Position = 0;
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
            {
                zlib.CopyTo(inflated);
            }

            var raw = inflated.ToArray();
            var stride = width * channels;
            var pixels = new byte[height * stride];
            for (var y = 0; y < height; y++)
            {
                var filter = raw[y * (stride + 1)];
                for (var x = 0; x < stride; x++)
                {
                    var value = raw[y * (stride + 1) + 1 + x];
                    int left = x >= channels ? pixels[y * stride + x - channels] : 0;
                    int up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                    int upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                    pixels[y * stride + x] = (byte)(value + filter switch
                    {
                        0 => 0,
                        1 => left,
                        2 => up,
                        3 => (left + up) / 2,
                        4 => Paeth(left, up, upLeft),
                        _ => throw new InvalidDataException($"filter {filter}"),
                    });
                }
            }

            return new Png(width, height, channels, pixels);
        }

        public static (byte R, byte G, byte B) Rgb(string hex) =>
            (Convert.ToByte(hex[1..3], 16), Convert.ToByte(hex[3..5], 16), Convert.ToByte(hex[5..7], 16));

        public int Count((byte R, byte G, byte B) colour)
        {
            var count = 0;
            for (var i = 0; i < Pixels.Length; i += Channels)
            {
                if (Pixels[i] == colour.R && Pixels[i + 1] == colour.G && Pixels[i + 2] == colour.B)
                {
                    count++;
                }
            }

            return count;
        }

        private static int Paeth(int a, int b, int c)
        {
            var p = a + b - c;
            var (pa, pb, pc) = (Math.Abs(p - a), Math.Abs(p - b), Math.Abs(p - c));
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
