using System.Diagnostics;
using System.Net;
using System.Text;
using TicketToken.Testing.Identity;

namespace TicketToken.Host.Tests;

/// <summary>Every error is an RFC 9457 problem with a <c>code</c> a client can act on and a <c>traceId</c> to quote.</summary>
public sealed class ProblemDetailsTests(HostWithFaultsFixture host) : IClassFixture<HostWithFaultsFixture>
{
    /// <summary>A real, anonymous endpoint with a validated JSON body: identity's registration.</summary>
    private const string Register = "/api/auth/register";

    private readonly HttpClient _client = host.Client;

    [Fact]
    public async Task A_malformed_json_body_is_a_400_invalid_json_problem()
    {
        using var response = await _client.PostAsync(Register, Body.Json("{\"email\": \"unterminated"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Problem.ReadAsync(response)).Code.Should().Be("invalid_json");
    }

    [Fact]
    public async Task A_body_of_an_unsupported_media_type_is_a_415_unsupported_media_type_problem()
    {
        using var response = await _client.PostAsync(Register, new StringContent("""{"email":"fan@example.com"}""", Encoding.UTF8, "text/plain"));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await Problem.ReadAsync(response)).Code.Should().Be("unsupported_media_type");
    }

    [Fact]
    public async Task A_body_that_fails_validation_is_a_400_validation_failed_problem_listing_the_errors()
    {
        using var response = await _client.PostAsync(Register, Body.Json("""{"email":"","password":"a long enough passphrase"}"""));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await Problem.ReadAsync(response);
        problem.Code.Should().Be("validation_failed");
        problem.Body.TryGetProperty("errors", out var errors).Should().BeTrue();
        errors.EnumerateObject().Select(e => e.Name).Should().ContainSingle(name => name.Equals("email", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_not_found_problem()
    {
        using var response = await _client.GetAsync("/api/no-such-thing");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Problem.ReadAsync(response)).Code.Should().Be("not_found");
    }

    [Fact]
    public async Task A_missing_resource_is_a_404_problem_that_names_what_is_missing()
    {
        var fan = await new Personas(_client).FanAsync();
        using var request = fan.Request(HttpMethod.Delete, $"/api/me/sessions/{Guid.NewGuid()}");

        using var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Problem.ReadAsync(response)).Code.Should().Be("session_not_found", "a session the fan does not have");
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_method_not_allowed_problem()
    {
        using var response = await _client.DeleteAsync(Register);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await Problem.ReadAsync(response)).Code.Should().Be("method_not_allowed");
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_500_internal_error_problem_that_does_not_leak_the_exception_message()
    {
        using var response = await _client.GetAsync("/test/faults/unexpected");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var problem = await Problem.ReadAsync(response);
        problem.Code.Should().Be("internal_error");
        problem.Detail.Should().NotBeNullOrEmpty();
        problem.Body.GetRawText().Should().NotContain(FaultModule.SecretMessage, "outside Development the message may carry internals");
    }

    [Fact]
    public async Task A_problem_exception_becomes_a_problem_with_its_own_status_and_code()
    {
        using var response = await _client.GetAsync("/test/faults/seat-unavailable");

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await Problem.ReadAsync(response);
        problem.Code.Should().Be("seat_unavailable");
        problem.Title.Should().Be("The seat is no longer available.");
        problem.Detail.Should().Be("Seat A-12 is held by another fan.");
    }

    [Fact]
    public async Task A_problem_carries_the_trace_id_of_the_incoming_traceparent()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/no-such-thing");
        var parentSpanId = ActivitySpanId.CreateRandom().ToHexString();
        request.Headers.Add("traceparent", $"00-{traceId}-{parentSpanId}-01");

        using var response = await _client.SendAsync(request);

        var problem = await Problem.ReadAsync(response);
        problem.TraceId.Should().Be(traceId, "the server continues the caller's W3C trace");
    }

    [Fact]
    public async Task Requests_without_a_traceparent_get_a_trace_of_their_own()
    {
        using var untraced = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() })
        {
            BaseAddress = host.Host.BaseAddress,
        };

        using var first = await untraced.GetAsync("/api/no-such-thing");
        using var second = await untraced.GetAsync("/api/no-such-thing");

        first.RequestMessage!.Headers.Contains("traceparent").Should().BeFalse();
        (await Problem.ReadAsync(first)).TraceId.Should().NotBe((await Problem.ReadAsync(second)).TraceId);
    }
}
