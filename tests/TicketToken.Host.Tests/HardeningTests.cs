using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TicketToken.Host.Tests.Fuzz;
using TicketToken.Testing.Identity;

namespace TicketToken.Host.Tests;

/// <summary>
/// One regression test per finding of the outside tester (issue 21): bad input that got a 500, unknown ids that got a
/// 409, details that named .NET types, an unbounded body, and an OpenAPI document that said optional where it meant
/// required and the other way round.
/// </summary>
public sealed class HardeningTests(FuzzFixture fixture) : IClassFixture<FuzzFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_null_among_the_seats_of_a_hold_is_a_validation_problem_naming_it()
    {
        using var response = await SendAsync(fixture.Fan, HttpMethod.Post, $"/api/inventory/events/{fixture.EventId}/holds", """{"seats":[null]}""");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.Body.GetProperty("errors").TryGetProperty("seats[0]", out _).Should().BeTrue(problem.Body.ToString());
    }

    [Theory]
    [InlineData("profile")]
    [InlineData("organizer")]
    [InlineData("venue")]
    [InlineData("event")]
    public async Task A_NUL_character_in_a_text_field_is_refused_as_invalid_text(string route)
    {
        var (person, method, path, json) = route switch
        {
            "profile" => (fixture.Fan, HttpMethod.Patch, "/api/me", """{"displayName":"Ada\u0000"}"""),
            "organizer" => (fixture.Fan, HttpMethod.Post, "/api/organizers", """{"name":"Acme\u0000Live"}"""),
            "venue" => (fixture.AdminOfA, HttpMethod.Patch, $"/api/venues/{fixture.VenueId}", """{"name":"Hall\u0000"}"""),
            _ => (fixture.AdminOfA, HttpMethod.Patch, $"/api/events/{fixture.EventId}", """{"description":"x\u0000y"}"""),
        };

        using var response = await SendAsync(person, method, path, json);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_text");
        problem.Detail.Should().Contain("U+0000");
    }

    [Fact]
    public async Task Other_control_characters_are_refused_too_while_tabs_and_line_breaks_pass()
    {
        using var bell = await SendAsync(fixture.Fan, HttpMethod.Patch, "/api/me", """{"displayName":"Ada\u0007"}""");
        using var lines = await SendAsync(fixture.Fan, HttpMethod.Patch, "/api/me", """{"displayName":"Ada\tLovelace"}""");

        await bell.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_text");
        (await lines.ShouldBeAsync(HttpStatusCode.OK)).Text("displayName").Should().Be("Ada\tLovelace");
    }

    [Fact]
    public async Task A_lone_surrogate_or_invalid_UTF8_in_a_seat_map_is_a_seat_map_error_with_its_line()
    {
        var path = $"/api/venues/{fixture.VenueId}/seatmaps";
        using var surrogate = await SendAsync(fixture.AdminOfA, HttpMethod.Post, path,
            "{\"name\":\"Map\",\n\"sections\":[{\"code\":\"S\\ud800\",\"rows\":[]}]}");
        using var invalid = await SendContentAsync(fixture.AdminOfA, HttpMethod.Post, path,
            new ByteArrayContent([.. "{\"name\":\"M"u8.ToArray(), 0xC3, 0x28, .. "\",\n\"sections\":[]}"u8.ToArray()]));
        using var importCsv = await SendContentAsync(fixture.AdminOfA, HttpMethod.Post, $"{path}/import?name=Csv",
            new ByteArrayContent([.. "section,row,seat,zone,accessible,companion,blocked,x,y\nS,A,1"u8.ToArray(), 0xFF, .. ",Z,,,,,\n"u8.ToArray()]), "text/csv");

        foreach (var response in new[] { surrogate, invalid, importCsv })
        {
            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map");
            problem.Body.GetProperty("errors")[0].GetProperty("line").GetInt32().Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public async Task Holds_and_checkout_for_an_event_nobody_published_are_404_like_its_availability()
    {
        var unknown = Guid.NewGuid();

        using var availability = await Client.GetAsync($"/api/inventory/events/{unknown}/availability");
        using var hold = await SendAsync(fixture.Fan, HttpMethod.Post, $"/api/inventory/events/{unknown}/holds", """{"seats":["STALLS-A-1"]}""");
        using var checkout = await SendAsync(fixture.Fan, HttpMethod.Post, "/api/orders", $$"""{"eventId":"{{unknown}}","holdId":"{{Guid.NewGuid()}}"}""",
            idempotencyKey: Guid.NewGuid().ToString());
        using var waitlist = await SendAsync(fixture.Fan, HttpMethod.Put, $"/api/inventory/events/{unknown}/waitlist/me", """{"quantity":1}""");

        await availability.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await hold.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await checkout.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await waitlist.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_413_before_it_is_read()
    {
        var huge = $$"""{"email":"big@example.com","password":"correct horse battery staple","displayName":"{{new string('x', 10 * 1024 * 1024)}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;

        using var response = await Client.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Problem_details_say_where_the_body_is_wrong_without_naming_NET_types()
    {
        using var guid = await SendAsync(fixture.AdminOfA, HttpMethod.Post, $"/api/organizers/{fixture.OrganizerA}/devices", """{"name":"Gate","venueId":"not-a-guid"}""");
        using var kind = await SendAsync(fixture.Fan, HttpMethod.Post, $"/api/inventory/events/{fixture.EventId}/holds", """{"seats":"STALLS-A-1"}""");
        using var route = await SendAsync(fixture.Fan, HttpMethod.Get, "/api/orders?limit=many", null);

        foreach (var response in new[] { guid, kind, route })
        {
            var problem = await Problem.ReadAsync(response);
            ((int)response.StatusCode).Should().Be(400);
            problem.Detail.Should().NotContainAny("System.", "TicketToken.", "Microsoft.", "Request ", "Guid ");
        }

        (await Problem.ReadAsync(guid)).Detail.Should().Contain("$.venueId");
    }

    [Fact]
    public async Task A_refund_without_an_Idempotency_Key_says_so_in_words_about_refunds()
    {
        using var response = await SendAsync(fixture.AdminOfA, HttpMethod.Post, $"/api/orders/{Guid.NewGuid()}/refunds", """{"reason":"Obstructed view"}""");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_required");
        problem.Title.Should().Contain("refund").And.NotContain("Checking out");
    }

    [Fact]
    public async Task The_OpenAPI_document_calls_optional_what_is_optional_and_required_what_is_required()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        string[] Required(string schema) =>
            schemas.GetProperty(schema).TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];
        bool HeaderRequired(string path, string method) =>
            document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "Idempotency-Key").GetProperty("required").GetBoolean();

        Required("LoginRequest").Should().NotContain(["totpCode", "recoveryCode"]).And.Contain(["email", "password"]);
        Required("DisableMfaRequest").Should().NotContain(["totpCode", "recoveryCode"]);
        Required("CheckoutRequest").Should().NotContain("promoCode").And.Contain(["eventId", "holdId"]);
        HeaderRequired("/api/orders", "post").Should().BeTrue();
        HeaderRequired("/api/orders/{orderId}/refunds", "post").Should().BeTrue();
    }

    private Task<HttpResponseMessage> SendAsync(Person person, HttpMethod method, string path, string? json, string? idempotencyKey = null) =>
        SendContentAsync(person, method, path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"), idempotencyKey: idempotencyKey);

    private async Task<HttpResponseMessage> SendContentAsync(Person person, HttpMethod method, string path, HttpContent? content, string contentType = "application/json",
        string? idempotencyKey = null)
    {
        using var request = person.Request(method, path);
        if (content is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            request.Content = content;
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Client.SendAsync(request);
    }
}
