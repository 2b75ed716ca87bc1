using System.Net;
using System.Text.Json;

namespace TicketToken.Host.Tests;

/// <summary>What orchestrators and developers find on every host: probes, the API description and its UI.</summary>
public sealed class HealthAndOpenApiTests(HostFixture host) : IClassFixture<HostFixture>
{
    private readonly HttpClient _client = host.Client;

    [Fact]
    public async Task Liveness_answers_healthy()
    {
        using var response = await _client.GetAsync("/healthz");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        var body = await ReadJsonAsync(response);
        body.GetProperty("status").GetString().Should().Be("Healthy");
    }

    [Fact]
    public async Task Readiness_answers_healthy_with_the_runtime_and_postgres_checks()
    {
        using var response = await _client.GetAsync("/readyz");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await ReadJsonAsync(response);
        body.GetProperty("status").GetString().Should().Be("Healthy");
        var checks = body.GetProperty("checks");
        checks.GetProperty("runtime").GetProperty("status").GetString().Should().Be("Healthy");
        checks.GetProperty("postgres").GetProperty("status").GetString().Should().Be("Healthy");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_tickettoken_api_and_the_identity_operations()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        var document = await ReadJsonAsync(response);
        document.GetProperty("info").GetProperty("title").GetString().Should().Be("TicketToken API");
        OperationIds(document).Should().Contain(["Register", "Login", "GetJwks", "CreateOrganizer"]);
    }

    [Fact]
    public async Task The_openapi_document_declares_the_bearer_scheme_and_requires_it_where_a_token_is_needed()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");
        var document = await ReadJsonAsync(response);

        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        bearer.GetProperty("type").GetString().Should().Be("http");
        bearer.GetProperty("scheme").GetString().Should().Be("bearer");
        var profile = document.GetProperty("paths").GetProperty("/api/me").GetProperty("get");
        profile.TryGetProperty("security", out var security).Should().BeTrue("GET /api/me needs an access token");
        security.EnumerateArray().SelectMany(requirement => requirement.EnumerateObject()).Select(scheme => scheme.Name).Should().Contain("Bearer");
        var register = document.GetProperty("paths").GetProperty("/api/auth/register").GetProperty("post");
        register.TryGetProperty("security", out var anonymous).Should().BeTrue("an anonymous operation says so explicitly");
        anonymous.EnumerateArray().Should().ContainSingle().Which.EnumerateObject().Should().BeEmpty("registration is anonymous: its one requirement names no scheme");
    }

    [Fact]
    public async Task The_openapi_document_leaves_out_the_probes()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");
        var document = await ReadJsonAsync(response);

        document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().NotContain(["/healthz", "/readyz"]);
    }

    [Fact]
    public async Task Swagger_ui_is_served_as_html()
    {
        using var response = await _client.GetAsync("/swagger/index.html");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<html").And.Contain("swagger-ui");
    }

    private static IEnumerable<string> OperationIds(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Value.ValueKind == JsonValueKind.Object && operation.Value.TryGetProperty("operationId", out _)
        select operation.Value.GetProperty("operationId").GetString()!;

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
