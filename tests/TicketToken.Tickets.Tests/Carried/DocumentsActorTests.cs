using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Tests.Carried;

/// <summary>
/// The documents actor the notifications module calls for its e-mails (<see cref="ITicketDocumentsActor"/>), reached
/// through the actor proxy as another module reaches it, and the links it makes, followed without signing in.
/// </summary>
public sealed class DocumentsActorTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private HttpClient Client => fixture.Client;

    [PdfToolsFact]
    public async Task A_holder_gets_one_pdf_with_a_page_per_active_ticket_of_theirs_and_wallet_links_that_work_without_signing_in()
    {
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10), name: "Order night"));
        var order = TestOrders.Order(e.EventId, fan.UserId, seats: 2, standing: 1);
        var mine = (await fixture.IssueAsync(order)).Tickets.Select(t => t.TicketId).ToList();
        var unconfirmed = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1), activate: false)).Tickets[0].TicketId;
        var theirs = (await fixture.IssueAsync(TestOrders.Order(e.EventId, other.UserId, seats: 1))).Tickets[0].TicketId;

        var documents = await Documents(fan.UserId).GetAsync(new TicketDocumentsRequest([.. mine, unconfirmed, theirs]));

        documents.Should().NotBeNull();
        documents!.OwnerId.Should().Be(fan.UserId);
        documents.PdfFileName.Should().Be($"tickets-{order.OrderNumber}.pdf");
        documents.Tickets.Select(t => t.TicketId).Should().Equal(mine, "only the holder's active tickets, in the order asked for");
        documents.Tickets.Select(t => t.Label).Should().Equal("Order night · Section " + order.Lines[0].Section + ", Row 1, Seat 1",
            "Order night · Section " + order.Lines[1].Section + ", Row 1, Seat 2", "Order night · General admission");
        var pages = await Pdfs.PagesAsync(documents.Pdf);
        pages.Should().HaveCount(3, "one page per ticket");
        for (var i = 0; i < pages.Count; i++)
        {
            EntryCodes.TryParse(await Pdfs.QrOnPageAsync(pages[i]), out var code).Should().BeTrue();
            code.TicketId.Should().Be(mine[i], "page {0} is ticket {0}", i + 1);
        }

        foreach (var links in documents.Tickets)
        {
            links.GoogleWalletUrl.Should().StartWith("https://pay.google.com/gp/v/save/");
            links.AppleWalletUrl.Should().StartWith("http://localhost:5000/api/tickets/apple-wallet/download/");
            using var download = await Client.GetAsync(new Uri(new Uri(links.AppleWalletUrl!).PathAndQuery, UriKind.Relative));
            var pass = ApplePassFile.Open(await download.ShouldBeFileAsync());
            pass.ManifestShouldMatchTheFiles();
            EntryCodes.TryParse(pass.Barcode, out var code).Should().BeTrue();
            code.TicketId.Should().Be(links.TicketId);
        }
    }

    [Fact]
    public async Task A_holder_with_none_of_the_asked_for_tickets_active_gets_nothing()
    {
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10)));
        var theirs = (await fixture.IssueAsync(TestOrders.Order(e.EventId, other.UserId, seats: 1))).Tickets[0].TicketId;

        (await Documents(fan.UserId).GetAsync(new TicketDocumentsRequest([theirs, Guid.NewGuid()]))).Should().BeNull("another fan's ticket is not the holder's to get");
    }

    [Fact]
    public async Task An_event_that_forbids_wallet_passes_gets_no_wallet_links()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10)) with { WalletPassesAllowed = false });
        var ticketId = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1))).Tickets[0].TicketId;

        var documents = await Documents(fan.UserId).GetAsync(new TicketDocumentsRequest([ticketId]));

        documents!.Tickets.Single().Should().Be(new TicketWalletLinks(ticketId, documents.Tickets[0].Label, null, null));
        documents.Pdf.Should().NotBeEmpty("the PDF is still the holder's receipt, without a code");
    }

    [Fact]
    public async Task A_wallet_link_dies_when_the_ticket_changes_hands_and_an_altered_link_is_refused()
    {
        var fan = await fixture.Personas.FanAsync();
        var friend = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10)));
        var ticketId = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1))).Tickets[0].TicketId;
        var link = new Uri((await Documents(fan.UserId).GetAsync(new TicketDocumentsRequest([ticketId])))!.Tickets[0].AppleWalletUrl!).PathAndQuery;
        var token = link[(link.LastIndexOf('/') + 1)..];
        var altered = link[..(link.LastIndexOf('/') + 1)] + (token[0] == 'A' ? 'B' : 'A') + token[1..];

        using var before = await Client.GetAsync(new Uri(link, UriKind.Relative));
        using var alteredResponse = await Client.GetAsync(new Uri(altered, UriKind.Relative));
        using var junk = await Client.GetAsync(new Uri("/api/tickets/apple-wallet/download/not-a-token", UriKind.Relative));
        await Client.GiveAsync(fan, friend, ticketId);
        using var after = await Client.GetAsync(new Uri(link, UriKind.Relative));

        before.StatusCode.Should().Be(HttpStatusCode.OK);
        await alteredResponse.ShouldBeProblemAsync(HttpStatusCode.NotFound, "wallet_link_invalid");
        await junk.ShouldBeProblemAsync(HttpStatusCode.NotFound, "wallet_link_invalid");
        await after.ShouldBeProblemAsync(HttpStatusCode.Gone, "wallet_link_void");
    }

    [Fact]
    public async Task A_wallet_link_expires()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var links = new WalletLinks(fixture.Host.Services.GetRequiredKeyedService<NpgsqlDataSource>(TicketsModule.Id),
            fixture.Host.Services.GetRequiredKeyedService<SecretProtector>(TicketsModule.Id), clock);
        var ticketId = Guid.NewGuid();

        var token = await links.MakeAsync(ticketId, 3, clock.Now.AddHours(1));
        var read = await links.ReadAsync(token);
        clock.Now = clock.Now.AddHours(1);
        var atExpiry = await links.ReadAsync(token);

        read.Should().Be((ticketId, 3));
        atExpiry.Should().BeNull("a link works until its expiry, not at it");
        (await fixture.Host.Services.GetRequiredService<WalletLinks>().ReadAsync(await links.MakeAsync(ticketId, 3, DateTimeOffset.UtcNow.AddHours(1))))
            .Should().Be((ticketId, 3), "every instance shares the module's link key through the database");
    }

    private ITicketDocumentsActor Documents(Guid ownerId) =>
        fixture.Host.Services.GetRequiredService<IActorProxyFactory>().CreateActorProxy<ITicketDocumentsActor>(TicketsActors.DocumentsId(ownerId), TicketsActors.Documents);

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
