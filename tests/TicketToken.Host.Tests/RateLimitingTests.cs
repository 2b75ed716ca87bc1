using System.Net;

namespace TicketToken.Host.Tests;

/// <summary>The per-client token bucket: over the limit a client gets a 429 problem saying when to retry; probes are never limited.</summary>
public sealed class RateLimitingTests(RateLimitedHostFixture host) : IClassFixture<RateLimitedHostFixture>
{
    private const int Storm = 10;

    /// <summary>
    /// A real endpoint that answers quickly and the same way every time: identity's profile without a token (401).
    /// Rejected requests count against the bucket too. Not /.well-known/jwks.json: that one is never rate limited.
    /// </summary>
    private const string Api = "/api/me";

    private readonly HttpClient _client = host.Client;

    [Fact]
    public async Task A_client_over_its_limit_gets_a_429_rate_limited_problem_with_retry_after()
    {
        var responses = await StormAsync(Api);
        try
        {
            var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            rejected.Should().NotBeEmpty("a burst of 2 and 1 request per second cannot admit {0} requests at once", Storm);
            responses.Except(rejected).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Unauthorized, "the admitted requests reach the endpoint's authorization");
            foreach (var response in rejected)
            {
                (await Problem.ReadAsync(response)).Code.Should().Be("rate_limited");
                response.Headers.RetryAfter.Should().NotBeNull();
                response.Headers.RetryAfter!.Delta.Should().BePositive();
            }
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Health_probes_are_never_rate_limited_even_when_the_client_is()
    {
        var api = await StormAsync(Api);
        var liveness = await StormAsync("/healthz");
        var readiness = await StormAsync("/readyz");
        try
        {
            api.Should().Contain(r => r.StatusCode == HttpStatusCode.TooManyRequests, "the client is over its limit");
            liveness.Concat(readiness).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        }
        finally
        {
            api.Concat(liveness).Concat(readiness).ToList().ForEach(r => r.Dispose());
        }
    }

    private async Task<List<HttpResponseMessage>> StormAsync(string path) =>
        [.. await Task.WhenAll(Enumerable.Range(0, Storm).Select(_ => _client.GetAsync(path)))];
}
