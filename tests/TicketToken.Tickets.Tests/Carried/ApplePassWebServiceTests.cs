using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Tickets.Tests.Carried;

/// <summary>
/// Apple's pass web service as Wallet on a phone drives it: register the installed pass, ask which passes changed since
/// the last tag, fetch the latest pass (with If-Modified-Since), report errors, unregister. Every request carries what
/// Wallet would send: the pass's own <c>authenticationToken</c> and nothing else.
/// </summary>
public sealed class ApplePassWebServiceTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private const string PassType = "pass.dev.tickettoken.ticket";

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_device_registers_hears_of_an_event_change_and_a_transfer_fetches_the_new_pass_and_unregisters()
    {
        var fan = await fixture.Personas.FanAsync();
        var friend = await fixture.Personas.FanAsync();
        var published = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10), name: "First name"));
        var ticketId = (await fixture.IssueAsync(TestOrders.Order(published.EventId, fan.UserId, seats: 1))).Tickets[0].TicketId;
        using var installed = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/pkpass");
        var pass = ApplePassFile.Open(await installed.ShouldBeFileAsync()).Pass;
        var (serial, token) = (pass.Text("serialNumber"), pass.Text("authenticationToken"));
        var service = new Uri(pass.Text("webServiceURL")).AbsolutePath;
        var device = Guid.NewGuid().ToString("N");
        var registration = $"{service}/v1/devices/{device}/registrations/{PassType}/{serial}";
        var updates = $"{service}/v1/devices/{device}/registrations/{PassType}";
        var latest = $"{service}/v1/passes/{PassType}/{serial}";

        (await SendAsync(HttpMethod.Post, registration, token, new { pushToken = "push-1" })).Should().Be(HttpStatusCode.Created);
        (await SendAsync(HttpMethod.Post, registration, token, new { pushToken = "push-2" })).Should().Be(HttpStatusCode.OK, "registered already");
        (await fixture.Database.ScalarAsync<string>("select push_token from tickets.apple_pass_registrations where device_library_id = $1", device)).Should().Be("push-2");
        var first = await UpdatedAsync(updates, since: null);
        first!.Value.GetProperty("serialNumbers").EnumerateArray().Select(s => s.GetString()).Should().Equal(serial);
        var tag = first.Value.Text("lastUpdated");
        (await UpdatedAsync(updates, tag)).Should().BeNull("nothing changed since the tag: 204");

        // Unchanged since it was fetched: 304. Asked about a time before the last change: the pass. (Last-Modified is rounded up
        // to the second, and a date still in the future is no date to HTTP, so that second must have passed.)
        var lastModified = installed.Content.Headers.LastModified!.Value;
        await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow > lastModified), "the pass's Last-Modified is in the past");
        using (var unchanged = await GetPassAsync(latest, token, installed.Content.Headers.LastModified))
        {
            unchanged.StatusCode.Should().Be(HttpStatusCode.NotModified);
        }

        using (var older = await GetPassAsync(latest, token, installed.Content.Headers.LastModified!.Value.AddHours(-1)))
        {
            older.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The organizer renames the event: the pass shows the new name, and the device hears of it.
        await fixture.AnnounceAsync(published with { Name = "Second name", Version = 2 });
        var renamed = await UpdatedAsync(updates, tag);
        renamed!.Value.GetProperty("serialNumbers").EnumerateArray().Select(s => s.GetString()).Should().Equal(serial);
        tag = renamed.Value.Text("lastUpdated");
        using (var fetched = await GetPassAsync(latest, token, ifModifiedSince: null))
        {
            var updated = ApplePassFile.Open(await fetched.ShouldBeFileAsync());
            updated.ManifestShouldMatchTheFiles();
            updated.Pass.GetProperty("eventTicket").GetProperty("primaryFields")[0].Text("value").Should().Be("Second name");
            updated.Barcode.Should().NotBeNull();
        }

        // The fan gives the ticket away: the pass on this device can never admit again.
        await Client.GiveAsync(fan, friend, ticketId);
        (await UpdatedAsync(updates, tag))!.Value.GetProperty("serialNumbers").EnumerateArray().Select(s => s.GetString()).Should().Equal(serial);
        using (var voided = await GetPassAsync(latest, token, ifModifiedSince: null))
        {
            var old = ApplePassFile.Open(await voided.ShouldBeFileAsync());
            old.Pass.GetProperty("voided").GetBoolean().Should().BeTrue();
            old.Barcode.Should().BeNull("the pass of the old secret version carries no code");
            old.Pass.GetProperty("eventTicket").GetProperty("auxiliaryFields").EnumerateArray().Should().NotContain(f => f.Text("key") == "holder",
                "a voided pass names nobody, least of all the new holder");
        }

        using (var log = await Client.PostAsJsonAsync($"{service}/v1/log", new { logs = new[] { "Web service error for pass.dev.tickettoken.ticket: nothing really" } }))
        {
            log.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await SendAsync(HttpMethod.Delete, registration, token)).Should().Be(HttpStatusCode.OK);
        (await UpdatedAsync(updates, since: null)).Should().BeNull("the device has no passes left");
    }

    [Fact]
    public async Task A_wrong_token_another_passes_token_or_another_pass_type_is_refused_with_401()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10)));
        var tickets = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 2))).Tickets;
        var (serial, token) = await PassOfAsync(fan, tickets[0].TicketId);
        var (_, otherToken) = await PassOfAsync(fan, tickets[1].TicketId);
        var service = "/api/tickets/apple-wallet/v1";

        (await ProblemCodeAsync(HttpMethod.Post, $"{service}/devices/d1/registrations/{PassType}/{serial}", token + "x", new { pushToken = "p" })).Should().Be("apple_pass_unauthorized");
        (await ProblemCodeAsync(HttpMethod.Post, $"{service}/devices/d1/registrations/{PassType}/{serial}", otherToken, new { pushToken = "p" })).Should().Be("apple_pass_unauthorized");
        (await ProblemCodeAsync(HttpMethod.Post, $"{service}/devices/d1/registrations/pass.other.type/{serial}", token, new { pushToken = "p" })).Should().Be("apple_pass_unauthorized");
        (await ProblemCodeAsync(HttpMethod.Post, $"{service}/devices/d1/registrations/{PassType}/{serial}", null, new { pushToken = "p" })).Should().Be("apple_pass_unauthorized");
        (await ProblemCodeAsync(HttpMethod.Get, $"{service}/passes/{PassType}/{serial}", otherToken)).Should().Be("apple_pass_unauthorized");
        (await ProblemCodeAsync(HttpMethod.Delete, $"{service}/devices/d1/registrations/{PassType}/{serial}", "nonsense")).Should().Be("apple_pass_unauthorized");
        (await ProblemCodeAsync(HttpMethod.Post, $"{service}/devices/bad%20device/registrations/{PassType}/{serial}", token, new { pushToken = "p" })).Should().Be("invalid_device");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.apple_pass_registrations where ticket_id = $1", tickets[0].TicketId)).Should().Be(0);
    }

    private async Task<(string Serial, string Token)> PassOfAsync(Person fan, Guid ticketId)
    {
        using var response = await Client.GetAsync(fan, $"/api/tickets/{ticketId}/pkpass");
        var pass = ApplePassFile.Open(await response.ShouldBeFileAsync()).Pass;
        return (pass.Text("serialNumber"), pass.Text("authenticationToken"));
    }

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var response = await Client.SendAsync(Request(method, path, token, body));
        return response.StatusCode;
    }

    private async Task<string?> ProblemCodeAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var response = await Client.SendAsync(Request(method, path, token, body));
        return (await Problem.ReadAsync(response)).Code;
    }

    /// <summary>The serial numbers changed since <paramref name="since"/>, or null for Apple's 204.</summary>
    private async Task<JsonElement?> UpdatedAsync(string path, string? since)
    {
        using var response = await Client.GetAsync(new Uri(since is null ? path : $"{path}?passesUpdatedSince={since}", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> GetPassAsync(string path, string token, DateTimeOffset? ifModifiedSince)
    {
        var request = Request(HttpMethod.Get, path, token);
        request.Headers.IfModifiedSince = ifModifiedSince;
        return await Client.SendAsync(request);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("ApplePass", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }
}
