using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;
using TicketToken.Tickets.Domain;
using TicketToken.Tickets.Tests.Carried;

namespace TicketToken.Scanning.Tests;

/// <summary>
/// What fans carry outside the app, at the gate: the printed PDF's QR, a Google Wallet pass's rotating barcode and an
/// Apple Wallet pass's barcode are each read as their reader reads them, admitted, and refused once the ticket has
/// changed hands; an organizer who forbids wallet passes gets pass codes refused and the app's code admitted; version 1
/// codes still admit; a device offline checks every form with the manifest's secret.
/// </summary>
public sealed class WalletGateTests(ScanningFixture fixture) : IClassFixture<ScanningFixture>
{
    private WalletCredentials Credentials => fixture.Host.Services.GetRequiredService<WalletCredentials>();

    [PdfToolsFact]
    public async Task A_printed_pdfs_qr_admits_its_holder_and_no_longer_the_giver_once_the_ticket_is_given_away()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var friend = await fixture.Personas.FanAsync();
        var printed = await PrintedCodeAsync(ticket.Fan, ticket.TicketId);

        await fixture.Client.GiveAsync(ticket.Fan, friend, ticket.TicketId);
        await WaitForSecretVersionAsync(ticket.TicketId, 2);
        var friendsPrint = await PrintedCodeAsync(friend, ticket.TicketId);

        printed.Should().StartWith("TTP.");
        friendsPrint.Should().NotBe(printed);
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, printed)).Reason().Should().Be("superseded", "the giver's print was made with the old secret");
        var admitted = await fixture.ScanAsync(venue.Device, venue.Event.EventId, friendsPrint);
        admitted.Allowed().Should().BeTrue(admitted.ToString());
        admitted.GetProperty("ticketId").GetGuid().Should().Be(ticket.TicketId);
    }

    [Fact]
    public async Task A_google_wallet_pass_shows_a_rotating_code_the_gate_admits_and_after_a_transfer_refuses()
    {
        // Two tickets of one fan: one is let in, the other given away. A ticket let in is used and can no longer be given
        // away (decision 28), so giving the admitted one away only worked while tickets had not yet heard of the check-in,
        // and the check-in that came after the gift then (rightly) used the friend's ticket.
        var venue = await fixture.VenueAsync();
        var entering = await fixture.TicketAsync(venue);
        var given = await fixture.TicketAsync(venue);
        var friend = await fixture.Personas.FanAsync();
        var enteringBarcode = await GoogleRotatingBarcodeAsync(entering.Fan, entering.TicketId);
        var givenBarcode = await GoogleRotatingBarcodeAsync(given.Fan, given.TicketId);

        // The wallet computes the value the moment it shows it; the gate checks it a moment later.
        var shown = GoogleWallet.BarcodeValue(enteringBarcode, DateTimeOffset.UtcNow);
        var admitted = await fixture.ScanAsync(venue.Device, venue.Event.EventId, shown);
        await fixture.Client.GiveAsync(given.Fan, friend, given.TicketId);
        await WaitForSecretVersionAsync(given.TicketId, 2);
        var afterGift = await fixture.ScanAsync(venue.Device, venue.Event.EventId, GoogleWallet.BarcodeValue(givenBarcode, DateTimeOffset.UtcNow));

        shown.Should().StartWith("TT2.", "Google's rotating barcode makes the app's code format");
        admitted.Allowed().Should().BeTrue(admitted.ToString());
        admitted.GetProperty("ticketId").GetGuid().Should().Be(entering.TicketId);
        afterGift.Reason().Should().Be("superseded", "the giver's saved pass still computes codes, of the old secret");
        (await GoogleRotatingBarcodeAsync(friend, given.TicketId)).GetProperty("totpDetails").GetProperty("parameters")[0].Text("key")
            .Should().NotBe(givenBarcode.GetProperty("totpDetails").GetProperty("parameters")[0].Text("key"), "the new holder's pass has a key of the new secret");
    }

    [Fact]
    public async Task An_apple_wallet_pass_verifies_as_wallet_checks_it_and_its_barcode_admits_until_the_ticket_changes_hands()
    {
        // As above: the admitted ticket is used (decision 28), so the one that changes hands is another ticket of the fan.
        var venue = await fixture.VenueAsync();
        var entering = await fixture.TicketAsync(venue);
        var given = await fixture.TicketAsync(venue);
        var friend = await fixture.Personas.FanAsync();
        var enteringPass = await ApplePassAsync(entering.Fan, entering.TicketId);
        var givenPass = await ApplePassAsync(given.Fan, given.TicketId);

        enteringPass.ManifestShouldMatchTheFiles();
        enteringPass.SignatureShouldVerify(Credentials.Apple!.Intermediate);
        var admitted = await fixture.ScanAsync(venue.Device, venue.Event.EventId, enteringPass.Barcode!);
        var beforeGift = givenPass.Barcode!;
        await fixture.Client.GiveAsync(given.Fan, friend, given.TicketId);
        await WaitForSecretVersionAsync(given.TicketId, 2);
        var afterGift = await fixture.ScanAsync(venue.Device, venue.Event.EventId, beforeGift);

        admitted.Allowed().Should().BeTrue(admitted.ToString());
        admitted.GetProperty("ticketId").GetGuid().Should().Be(entering.TicketId);
        afterGift.Reason().Should().Be("superseded", "a transfer voids every pass made before it");
    }

    [Fact]
    public async Task Where_the_organizer_forbids_wallet_passes_a_pass_code_is_refused_and_the_apps_code_admits()
    {
        var venue = await fixture.VenueAsync(walletPassesAllowed: false);
        var ticket = await fixture.TicketAsync(venue);
        var other = await fixture.TicketAsync(venue);

        var passCode = await fixture.ScanAsync(venue.Device, venue.Event.EventId, PassCode.For(ticket.TicketId, ticket.Secret));
        var app = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current());
        await fixture.ReannounceAsync(venue.Event with { Version = 2, WalletPassesAllowed = true });
        var allowedNow = await fixture.ScanAsync(venue.Device, venue.Event.EventId, PassCode.For(other.TicketId, other.Secret));

        passCode.Reason().Should().Be("pass_code_not_allowed");
        app.Allowed().Should().BeTrue(app.ToString());
        allowedNow.Allowed().Should().BeTrue("the organizer changed their mind, and the gate follows the newest announcement: {0}", allowedNow);
    }

    [Fact]
    public async Task Version_one_codes_still_admit_and_still_expire()
    {
        var venue = await fixture.VenueAsync();
        var current = await fixture.TicketAsync(venue);
        var screenshot = await fixture.TicketAsync(venue);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, current.CurrentV1())).Allowed().Should().BeTrue("TT1 is accepted until its tickets have expired");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, screenshot.StepsAgoV1(4))).Reason().Should().Be("code_expired");
    }

    [Fact]
    public async Task A_device_offline_checks_the_apps_the_wallets_and_the_pass_code_with_the_manifests_secret()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var barcode = await GoogleRotatingBarcodeAsync(ticket.Fan, ticket.TicketId);
        using var response = await fixture.SendAsync(venue.Device, HttpMethod.Get, $"/api/scanning/events/{venue.Event.EventId}/manifest");
        var manifest = await response.ShouldBeAsync(HttpStatusCode.OK);
        var stepSeconds = manifest.GetProperty("code").GetProperty("stepSeconds").GetInt32();
        var secret = Base64Url.DecodeFromChars(manifest.GetProperty("tickets").EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == ticket.TicketId).Text("secret"));

        foreach (var shown in new[] { ticket.Current(), ticket.CurrentV1(), GoogleWallet.BarcodeValue(barcode, DateTimeOffset.UtcNow), PassCode.For(ticket.TicketId, ticket.Secret) })
        {
            EntryCodes.TryParse(shown, out var code).Should().BeTrue(shown);
            EntryCodes.IsMadeWith(code, secret, stepSeconds).Should().BeTrue("a device with the manifest checks {0} without a network", shown);
        }

        manifest.GetProperty("code").GetProperty("pass").GetProperty("allowed").GetBoolean().Should().BeTrue();
    }

    /// <summary>The QR of the fan's PDF, as a printer and a gate's camera would read it.</summary>
    private async Task<string> PrintedCodeAsync(Person fan, Guid ticketId)
    {
        using var response = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/pdf");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var pages = await Pdfs.PagesAsync(await response.Content.ReadAsByteArrayAsync());
        return (await Pdfs.QrOnPageAsync(pages.Single()))!;
    }

    private async Task<ApplePassFile> ApplePassAsync(Person fan, Guid ticketId)
    {
        using var response = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/pkpass");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return ApplePassFile.Open(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The rotating barcode of the fan's Google Wallet link, from its JWT verified with the service account's public key.</summary>
    private async Task<JsonElement> GoogleRotatingBarcodeAsync(Person fan, Guid ticketId)
    {
        using var response = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/google-wallet");
        var link = await response.ShouldBeAsync(HttpStatusCode.OK);
        var claims = await GoogleWallet.VerifyAsync(link.Text("jwt"), Credentials.Google!.Rsa, Credentials.Google.Email);
        return claims.GetProperty("payload").GetProperty("eventTicketObjects")[0].GetProperty("rotatingBarcode");
    }

    private Task WaitForSecretVersionAsync(Guid ticketId, int version) =>
        Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<int>("select secret_version from scanning.tickets where id = $1", ticketId) == version,
            $"scanning heard of secret version {version}");
}
