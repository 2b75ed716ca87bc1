using System.Buffers.Text;
using System.Net;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Tickets.Tests;

/// <summary>The rotating entry code: as a QR image, and as what an app needs to make it offline.</summary>
public sealed class EntryCodeTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private const int StepSeconds = TicketCode.DefaultStepSeconds;

    private HttpClient Client => fixture.Client;

    [ToolFact("zbarimg", "zbar-tools")]
    public async Task The_qr_image_holds_the_current_code_which_verifies_with_the_offline_secret()
    {
        var (fan, ticketId) = await ActiveTicketAsync();
        var secret = await OfflineSecretAsync(fan, ticketId);

        using var png = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/qr");
        png.StatusCode.Should().Be(HttpStatusCode.OK);
        png.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        var payload = await QrCodes.DecodeAsync(await png.Content.ReadAsByteArrayAsync());
        var expires = DateTimeOffset.Parse(png.Headers.GetValues("X-Code-Expires").Single(), System.Globalization.CultureInfo.InvariantCulture);

        // Checked at an instant of the step the server made it in (the last second before it rotates), whatever the test's pace.
        EntryCodes.TryParse(payload, out var code).Should().BeTrue(payload);
        code.Kind.Should().Be(EntryCodeKind.RotatingV2, "the app shows version 2, the code a Google Wallet pass shows too");
        code.TicketId.Should().Be(ticketId);
        EntryCodes.IsMadeWith(code, secret, StepSeconds).Should().BeTrue();
        var step = EntryCodes.StepOf(code, StepSeconds)!.Value;
        TotpCode.Current(ticketId, secret, expires.AddSeconds(-1), StepSeconds)
            .Should().Be(payload, "an app with the offline secret makes exactly the server's code for the same step");
        expires.Should().Be(TicketCode.StepEndsAt(step, StepSeconds), "the header says when this code is replaced");
    }

    [Fact]
    public async Task The_qr_image_is_never_cached_and_says_when_it_rotates_and_the_svg_is_xml()
    {
        var (fan, ticketId) = await ActiveTicketAsync();

        using var png = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/qr?format=png");
        using var svg = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/qr?format=svg");

        (await png.Content.ReadAsByteArrayAsync()).Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        png.Headers.CacheControl!.NoStore.Should().BeTrue();
        var expires = DateTimeOffset.Parse(png.Headers.GetValues("X-Code-Expires").Single(), System.Globalization.CultureInfo.InvariantCulture);
        (expires.ToUnixTimeSeconds() % StepSeconds).Should().Be(0, "codes change on step boundaries");
        svg.StatusCode.Should().Be(HttpStatusCode.OK);
        svg.Content.Headers.ContentType!.MediaType.Should().Be("image/svg+xml");
        svg.Headers.CacheControl!.NoStore.Should().BeTrue();
        XDocument.Parse(await svg.Content.ReadAsStringAsync()).Root!.Name.LocalName.Should().Be("svg");
    }

    [Fact]
    public async Task The_offline_secret_is_the_one_the_server_makes_codes_with()
    {
        var (fan, ticketId) = await ActiveTicketAsync();

        var offline = await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}/offline");
        var serverSecret = await ServerSecretAsync(ticketId);
        var at = DateTimeOffset.UtcNow;

        offline.GetProperty("ticketId").GetGuid().Should().Be(ticketId);
        offline.Text("algorithm").Should().Be("TOTP-SHA1");
        offline.Text("payloadFormat").Should().Be(TotpCode.PayloadFormat);
        offline.Text("message").Should().Contain(TotpCode.KeyLabel);
        offline.GetProperty("digits").GetInt32().Should().Be(8);
        offline.GetProperty("stepSeconds").GetInt32().Should().Be(StepSeconds);
        offline.GetProperty("secretVersion").GetInt32().Should().Be(1);
        var secret = Base64Url.DecodeFromChars(offline.Text("secret"));
        TotpCode.Current(ticketId, secret, at, StepSeconds).Should().Be(TotpCode.Current(ticketId, serverSecret, at, StepSeconds));
        TicketCode.Current(ticketId, secret, at, StepSeconds).Should().Be(TicketCode.Current(ticketId, serverSecret, at, StepSeconds), "version 1 codes still work");
        var endsAt = await fixture.Database.ScalarAsync<DateTime>("select e.ends_at from tickets.events e join tickets.tickets t on t.event_id = e.id where t.id = $1", ticketId);
        offline.GetProperty("validUntil").GetDateTimeOffset().Should().Be(new DateTimeOffset(endsAt).AddHours(6), "codes are good until the event ends plus the grace");
    }

    [Fact]
    public async Task After_the_secret_changes_codes_from_the_old_secret_and_stale_steps_fail()
    {
        var (fan, ticketId) = await ActiveTicketAsync();
        var old = await OfflineSecretAsync(fan, ticketId);
        // What a transfer or reissue does to the ticket (their flows come later): the next secret version.
        await fixture.Database.ExecuteAsync("update tickets.tickets set secret_version = secret_version + 1 where id = $1", ticketId);

        var offline = await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}/offline");
        var current = Base64Url.DecodeFromChars(offline.Text("secret"));
        var now = DateTimeOffset.UtcNow;
        var step = TicketCode.Step(now, StepSeconds);

        offline.GetProperty("secretVersion").GetInt32().Should().Be(2);
        current.Should().NotEqual(old);
        TicketCode.Verify(TicketCode.Current(ticketId, old, now, StepSeconds), current, now, StepSeconds).Result.Should().Be(TicketCodeResult.BadMac);
        TicketCode.Verify(TicketCode.Format(ticketId, step - 2, TicketCode.Compute(ticketId, current, step - 2)), current, now, StepSeconds)
            .Result.Should().Be(TicketCodeResult.TooOld, "a screenshot of a code two steps ago is refused");
        TicketCode.Verify(TicketCode.Current(ticketId, current, now, StepSeconds), current, now, StepSeconds).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Only_an_active_ticket_has_a_code()
    {
        var fan = await fixture.Personas.FanAsync();
        var order = TestOrders.Order(Guid.NewGuid(), fan.UserId, seats: 2);
        var tickets = (await fixture.IssueAsync(order, activate: false)).Tickets;

        using var unconfirmed = await Client.GetAsync(fan, $"/api/tickets/{tickets[0].TicketId}/qr");
        using var unconfirmedOffline = await Client.GetAsync(fan, $"/api/tickets/{tickets[0].TicketId}/offline");
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        await fixture.Issuer(order.OrderId).RevokeAsync(new RevokeTickets(order.OrderId, [2], RevokeTickets.Refunded));
        using var refunded = await Client.GetAsync(fan, $"/api/tickets/{tickets[1].TicketId}/qr?format=svg");
        using var active = await Client.GetAsync(fan, $"/api/tickets/{tickets[0].TicketId}/qr");

        (await unconfirmed.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_active")).Title.Should().Contain("issued");
        await unconfirmedOffline.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_active");
        (await refunded.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_active")).Title.Should().Contain("refunded");
        active.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<(Person Fan, Guid TicketId)> ActiveTicketAsync()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(7)));
        return (fan, (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1))).Tickets[0].TicketId);
    }

    private async Task<byte[]> OfflineSecretAsync(Person fan, Guid ticketId) =>
        Base64Url.DecodeFromChars((await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}/offline")).Text("secret"));

    /// <summary>The secret as the server derives it: from the stored event key, under the module's key.</summary>
    private async Task<byte[]> ServerSecretAsync(Guid ticketId)
    {
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TicketsDbContext>();
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId);
        var @event = await db.Events.AsNoTracking().SingleAsync(e => e.Id == ticket.EventId);
        return EventKeys.TicketSecret(scope.ServiceProvider.GetRequiredKeyedService<SecretProtector>(TicketsModule.Id), @event, ticket);
    }
}
