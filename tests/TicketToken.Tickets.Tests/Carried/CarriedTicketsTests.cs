using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Tests.Carried;

/// <summary>
/// The owner's routes for what a ticket becomes outside the app: the PDF, the Apple Wallet pass and the Google Wallet
/// link, each read back the way its reader would (poppler and zbar, Wallet's manifest and signature checks, Google's JWT).
/// Whether the gate admits their codes is tested with the scanning module (TicketToken.Scanning.Tests, WalletGateTests).
/// </summary>
public sealed class CarriedTicketsTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private HttpClient Client => fixture.Client;

    private WalletCredentials Credentials => fixture.Host.Services.GetRequiredService<WalletCredentials>();

    [PdfToolsFact]
    public async Task The_pdf_has_the_event_seat_holder_and_a_qr_of_the_pass_code_made_with_the_tickets_secret()
    {
        var (fan, _, ticketId, _) = await TicketAsync("Night at the Opera");

        using var response = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/pdf");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf");
        response.Headers.CacheControl!.NoStore.Should().BeTrue("it carries an entry code");
        response.Content.Headers.ContentDisposition!.FileName.Should().EndWith(".pdf");
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var pages = await Pdfs.PagesAsync(pdf);
        var text = await Pdfs.TextAsync(pdf);
        var code = await Pdfs.QrOnPageAsync(pages.Single());

        code.Should().NotBeNull("the page has a QR zbarimg reads");
        EntryCodes.TryParse(code, out var parsed).Should().BeTrue(code);
        (parsed.Kind, parsed.TicketId).Should().Be((EntryCodeKind.Pass, ticketId));
        EntryCodes.IsMadeWith(parsed, await OfflineSecretAsync(fan, ticketId), 15).Should().BeTrue("made with the ticket's current secret");
        text.Should().Contain("Night at the Opera").And.Contain("Main Hall, Berlin").And.Contain("Section").And.Contain("Front")
            .And.Contain(fan.Email.Split('@')[0], "the holder's name, as identity announced it")
            .And.Contain("1 June 2030, 20:00", "the start on the venue's wall clock (Europe/Berlin)")
            .And.Contain(code!, "the code in text, for typing in");
    }

    [PdfToolsFact]
    public async Task An_event_that_forbids_wallet_passes_gets_a_pdf_page_without_a_code_and_no_google_link()
    {
        var (fan, _, ticketId, _) = await TicketAsync("App only", walletPassesAllowed: false);

        using var pdf = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/pdf");
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        using var google = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/google-wallet");

        pdf.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Pdfs.QrOnPageAsync((await Pdfs.PagesAsync(bytes)).Single())).Should().BeNull("only the app's rotating code admits");
        (await Pdfs.TextAsync(bytes)).Should().Contain("TicketToken app");
        await google.ShouldBeProblemAsync(HttpStatusCode.Conflict, "wallet_passes_not_allowed");
    }

    [Fact]
    public async Task The_apple_pass_has_a_manifest_of_sha1_hashes_a_verifying_signature_and_the_pass_code()
    {
        var (fan, _, ticketId, _) = await TicketAsync("Pass night");

        using var response = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/pkpass");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/vnd.apple.pkpass");
        response.Content.Headers.LastModified.Should().NotBeNull("Wallet asks again with If-Modified-Since");
        var pass = ApplePassFile.Open(await response.Content.ReadAsByteArrayAsync());

        pass.Files.Keys.Should().Contain(["pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png"]);
        pass.ManifestShouldMatchTheFiles();
        var signer = pass.SignatureShouldVerify(Credentials.Apple!.Intermediate);
        signer.Thumbprint.Should().Be(Credentials.Apple.PassCertificate.Thumbprint);
        var json = pass.Pass;
        json.GetProperty("formatVersion").GetInt32().Should().Be(1);
        json.Text("passTypeIdentifier").Should().Be("pass.dev.tickettoken.ticket");
        json.Text("serialNumber").Should().Be($"{ticketId:N}-1", "one pass per ticket and secret version");
        json.Text("webServiceURL").Should().Be("http://localhost:5000/api/tickets/apple-wallet");
        json.Text("authenticationToken").Length.Should().BeGreaterThanOrEqualTo(16, "Wallet wants 16 characters at least");
        json.TryGetProperty("voided", out _).Should().BeFalse();
        json.GetProperty("eventTicket").GetProperty("primaryFields")[0].Text("value").Should().Be("Pass night");
        json.GetProperty("barcodes")[0].Text("format").Should().Be("PKBarcodeFormatQR");
        EntryCodes.TryParse(pass.Barcode, out var code).Should().BeTrue(pass.Barcode);
        code.Kind.Should().Be(EntryCodeKind.Pass);
        EntryCodes.IsMadeWith(code, await OfflineSecretAsync(fan, ticketId), 15).Should().BeTrue();
    }

    [Fact]
    public async Task An_event_that_forbids_wallet_passes_gets_an_apple_pass_without_a_barcode_that_says_to_use_the_app()
    {
        var (fan, _, ticketId, _) = await TicketAsync("App only", walletPassesAllowed: false);

        using var response = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/pkpass");
        var pass = ApplePassFile.Open(await response.ShouldBeFileAsync());

        pass.ManifestShouldMatchTheFiles();
        pass.Barcode.Should().BeNull();
        pass.Pass.TryGetProperty("voided", out _).Should().BeFalse("the ticket is good, in the app");
        pass.Pass.GetProperty("eventTicket").GetProperty("backFields").EnumerateArray().Single(f => f.Text("key") == "notice").Text("value")
            .Should().Contain("TicketToken app");
    }

    [Fact]
    public async Task The_google_wallet_link_is_a_jwt_the_service_account_key_verifies_for_an_event_ticket_with_a_rotating_totp_barcode()
    {
        var (fan, e, ticketId, order) = await TicketAsync("Rotating night");
        var google = Credentials.Google!;

        var link = await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}/google-wallet");
        var claims = await GoogleWallet.VerifyAsync(link.Text("jwt"), google.Rsa, google.Email);

        link.Text("saveUrl").Should().Be("https://pay.google.com/gp/v/save/" + link.Text("jwt"));
        claims.Text("typ").Should().Be("savetowallet");
        var payload = claims.GetProperty("payload");
        var eventClass = payload.GetProperty("eventTicketClasses").EnumerateArray().Single();
        var ticket = payload.GetProperty("eventTicketObjects").EnumerateArray().Single();
        GoogleWallet.Localized(eventClass.GetProperty("eventName")).Should().Be("Rotating night");
        eventClass.Text("id").Should().Be($"3388000000000000000.event-{e.EventId:N}");
        ticket.Text("id").Should().Be($"3388000000000000000.ticket-{ticketId:N}-v1").And.Be(link.Text("objectId"));
        ticket.Text("classId").Should().Be(eventClass.Text("id"));
        ticket.Text("ticketNumber").Should().Be($"{order.OrderNumber}-1");
        ticket.Text("ticketHolderName").Should().Be(fan.Email.Split('@')[0]);
        var barcode = ticket.GetProperty("rotatingBarcode");
        barcode.Text("type").Should().Be("QR_CODE");
        barcode.GetProperty("totpDetails").Text("periodMillis").Should().Be("15000", "the wallet rotates with our code step");
        barcode.GetProperty("totpDetails").GetProperty("parameters")[0].GetProperty("valueLength").GetInt32().Should().Be(8);

        var now = DateTimeOffset.UtcNow;
        GoogleWallet.BarcodeValue(barcode, now).Should().Be(
            TotpCode.Format(ticketId, now.ToUnixTimeSeconds(), TotpCode.Value(TotpCode.Key(await OfflineSecretAsync(fan, ticketId), ticketId), now.ToUnixTimeSeconds() / 15)),
            "the wallet shows the app's TT2 code for the same moment");
    }

    [Fact]
    public void The_test_wallets_totp_is_rfc_6238()
    {
        // RFC 6238 appendix B (SHA-1): the test's own implementation, which stands in for Google Wallet above.
        var key = "12345678901234567890"u8.ToArray();

        GoogleWallet.Totp(key, 59 / 30, 8).Should().Be("94287082");
        GoogleWallet.Totp(key, 1111111109 / 30, 8).Should().Be("07081804");
        GoogleWallet.Totp(key, 2000000000 / 30, 8).Should().Be("69279037");
    }

    [Fact]
    public async Task Only_the_owner_of_an_active_ticket_gets_its_pdf_pass_or_link()
    {
        var (fan, e, ticketId, _) = await TicketAsync("Mine");
        var other = await fixture.Personas.FanAsync();
        var unconfirmed = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1), activate: false)).Tickets[0].TicketId;

        foreach (var route in new[] { "pdf", "pkpass", "google-wallet" })
        {
            using var foreign = await Client.GetAsync(other, $"/api/tickets/{ticketId}/{route}");
            using var inactive = await Client.GetAsync(fan, $"/api/tickets/{unconfirmed}/{route}");
            using var anonymous = await Client.GetAsync(new Uri($"/api/tickets/{ticketId}/{route}", UriKind.Relative));

            await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
            await inactive.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_active");
            await anonymous.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }
    }

    /// <summary>An announced event (1 June 2030, 20:00 in Berlin) and an active reserved ticket of a fan whose name tickets has heard.</summary>
    private async Task<(Person Fan, EventPublished Event, Guid TicketId, IssueTickets Order)> TicketAsync(string name, bool walletPassesAllowed = true)
    {
        var fan = await fixture.Personas.FanAsync();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from tickets.holders where user_id = $1", fan.UserId) == 1,
            "tickets heard the fan's name");
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.Parse("2030-06-01T18:00:00Z", System.Globalization.CultureInfo.InvariantCulture), name: name)
            with { WalletPassesAllowed = walletPassesAllowed });
        var order = TestOrders.Order(e.EventId, fan.UserId, seats: 1);
        return (fan, e, (await fixture.IssueAsync(order)).Tickets[0].TicketId, order);
    }

    private async Task<byte[]> OfflineSecretAsync(Person fan, Guid ticketId) =>
        Base64Url.DecodeFromChars((await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}/offline")).Text("secret"));
}

public static class FileResponses
{
    public static async Task<byte[]> ShouldBeFileAsync(this HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static JsonElement Json(this byte[] bytes) => JsonDocument.Parse(bytes).RootElement;
}
