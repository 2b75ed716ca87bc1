using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Security;
using Xunit.Abstractions;

namespace TicketToken.Host.Tests;

/// <summary>
/// Every endpoint the host exposes, read from its endpoint data source (so a new route cannot be forgotten),
/// against every kind of caller. A route must declare one of the five policies or be on the short list of
/// deliberately anonymous routes; each caller must then get exactly what the declared policy says.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationFixture fixture, ITestOutputHelper output) : IClassFixture<AuthorizationFixture>
{
    /// <summary>DESIGN.md section 6: browse, register, login, webhooks (and Wallet's callbacks), health and the OpenAPI document; and how tokens are obtained.</summary>
    private static readonly HashSet<string> DeliberatelyAnonymous =
    [
        "GET /healthz",
        "GET /readyz",
        "GET /openapi/{documentName}.json",
        "GET /.well-known/jwks.json",
        "POST /api/auth/register",
        "POST /api/auth/login",
        "POST /api/auth/refresh",
        "POST /api/auth/password/forgot",
        "POST /api/auth/password/reset",
        "POST /api/devices/token",
        "GET /api/events",
        "GET /api/events/{eventId:guid}",
        "GET /api/events/{eventId:guid}/ticket-types",
        "GET /api/events/{eventId:guid}/ticket-types/{ticketTypeId:guid}",
        "GET /api/events/{eventId:guid}/seatmap.svg",
        "GET /api/passes/{passId:guid}",
        "GET /api/inventory/events/{eventId:guid}/availability",
        "GET /api/inventory/events/{eventId:guid}/seats",
        "GET /api/inventory/events/{eventId:guid}/seatmap.svg",
        "GET /api/marketplace/listings",
        "GET /api/marketplace/listings/{listingId:guid}",
        // Stripe (and the simulated gateway) send no token: the Stripe-Signature HMAC of the raw body is the authentication.
        "POST /api/payments/webhooks/stripe",
        // The simulated gateway's Stripe-compatible API (outside Production only): like Stripe, it authenticates the
        // secret key Stripe.net sends, not our tokens.
        "POST /api/payments/simulated/stripe/v1/payment_intents",
        "GET /api/payments/simulated/stripe/v1/payment_intents/{id}",
        "POST /api/payments/simulated/stripe/v1/payment_intents/{id}/confirm",
        "POST /api/payments/simulated/stripe/v1/payment_intents/{id}/cancel",
        "POST /api/payments/simulated/stripe/v1/refunds",
        "GET /api/payments/simulated/stripe/v1/refunds/{id}",
        "POST /api/payments/simulated/stripe/v1/accounts",
        "GET /api/payments/simulated/stripe/v1/accounts/{id}",
        "POST /api/payments/simulated/stripe/v1/account_links",
        "POST /api/payments/simulated/stripe/v1/transfers",
        // Apple Wallet's pass web service sends no access token: each pass's own token (Authorization: ApplePass ...) is the
        // authentication; a pass download link from an e-mail is its own signed, expiring proof (docs/adr/0014).
        "POST /api/tickets/apple-wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}",
        "DELETE /api/tickets/apple-wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}",
        "GET /api/tickets/apple-wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}",
        "GET /api/tickets/apple-wallet/v1/passes/{passTypeIdentifier}/{serialNumber}",
        "POST /api/tickets/apple-wallet/v1/log",
        "GET /api/tickets/apple-wallet/download/{token}",
        // The registry's public key is for anyone who checks its signatures; a token's metadata is read by wallets and
        // explorers, which carry no token of ours, and names no person (docs/adr/0019).
        "GET /api/minting/registry-key",
        "GET /api/minting/tokens/{mint}/metadata",
    ];

    private static readonly string[] AuthorizationCodes = ["unauthenticated", "invalid_token", "token_expired", "forbidden"];

    private enum Caller
    {
        Anonymous,
        Fan,
        OtherFan,
        AdminOfA,
        AdminOfB,
        BoxOfficeOfA,
        ScannerOfA,
        PlatformAdmin,
    }

    [Fact]
    public void Every_endpoint_declares_a_policy_or_is_deliberately_anonymous()
    {
        var undeclared = Endpoints().Where(e => Rule(e) is null).Select(e => e.Key).ToList();
        var unexpectedlyAnonymous = Endpoints().Where(e => Rule(e) == "anonymous" && !DeliberatelyAnonymous.Contains(e.Key)).Select(e => e.Key).ToList();

        undeclared.Should().BeEmpty("every route states its access rule with RequireAuthorization(Policies.X) or AllowAnonymous");
        unexpectedlyAnonymous.Should().BeEmpty("only the routes DESIGN.md names may be anonymous; add a new one to the list only on purpose");
        Endpoints().Should().Contain(e => e.Key == "GET /api/me", "the enumeration sees the modules' routes");
    }

    [Fact]
    public void Every_policy_the_endpoints_use_is_one_of_the_five()
    {
        var used = Endpoints().Select(Rule).Where(r => r is not null and not "anonymous").Distinct();

        used.Should().BeSubsetOf(Policies.All);
    }

    [Fact]
    public async Task Each_caller_gets_exactly_what_the_routes_policy_allows()
    {
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var endpoint in Endpoints().Where(e => Rule(e) is not null and not "anonymous"))
        {
            var policy = Rule(endpoint)!;
            foreach (var caller in Enum.GetValues<Caller>())
            {
                using var response = await SendAsync(endpoint, caller);
                var code = await CodeOfAsync(response);
                var expected = caller == Caller.Anonymous ? "unauthenticated" : Satisfies(caller, policy) ? "allowed" : "forbidden";
                var actual = code is "unauthenticated" or "forbidden" ? code : AuthorizationCodes.Contains(code) ? code! : "allowed";
                if (actual != expected)
                {
                    failures.Add($"{endpoint.Key} [{policy}] as {caller}: expected {expected}, got {(int)response.StatusCode} {code}");
                }

                checkedCount++;
            }
        }

        output.WriteLine($"Checked {checkedCount} (route, caller) pairs over {Endpoints().Count} endpoints.");
        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Deliberately_anonymous_routes_answer_without_a_token()
    {
        foreach (var endpoint in Endpoints().Where(e => Rule(e) == "anonymous"))
        {
            using var response = await SendAsync(endpoint, Caller.Anonymous);
            var code = await CodeOfAsync(response);

            AuthorizationCodes.Should().NotContain(code, "{0} is anonymous by design", endpoint.Key);
        }
    }

    [Fact]
    public async Task A_route_that_states_no_rule_is_caught_by_the_check_and_refused_by_the_fallback_policy()
    {
        await using var database = new TicketToken.Testing.PostgresDatabase();
        await database.InitializeAsync();
        await using var host = await TicketToken.Testing.TestHost.StartAsync([.. HostModules.All(), new CarelessModule()], database.ConnectionString);
        var careless = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == CarelessModule.Route);

        using var response = await host.Client.GetAsync(new Uri(CarelessModule.Route, UriKind.Relative));

        Rule(new ApiEndpoint(careless, "GET")).Should().BeNull("the route declares neither a policy nor AllowAnonymous");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the fallback policy requires a token where nothing was said");
    }

    /// <summary>A module that forgot to say who may call its route.</summary>
    private sealed class CarelessModule : TicketToken.BuildingBlocks.Hosting.Module
    {
        public const string Route = "/api/careless";

        public override string AppId => "careless";

        public override void MapEndpoints(IEndpointRouteBuilder endpoints) =>
            endpoints.MapGet(Route, () => "secret").WithName("Careless").WithSummary("Forgets its authorization.");
    }

    /// <summary>What the policies mean, written out independently of their implementation.</summary>
    private static bool Satisfies(Caller caller, string policy) => (policy, caller) switch
    {
        (Policies.Fan, Caller.Fan or Caller.OtherFan or Caller.AdminOfA or Caller.AdminOfB or Caller.BoxOfficeOfA or Caller.PlatformAdmin) => true,
        (Policies.OrganizerAdmin, Caller.AdminOfA or Caller.AdminOfB or Caller.PlatformAdmin) => true,
        (Policies.BoxOffice, Caller.AdminOfA or Caller.AdminOfB or Caller.BoxOfficeOfA or Caller.PlatformAdmin) => true,
        (Policies.Scanner, Caller.ScannerOfA) => true,
        (Policies.PlatformAdmin, Caller.PlatformAdmin) => true,
        _ => false,
    };

    private async Task<HttpResponseMessage> SendAsync(ApiEndpoint endpoint, Caller caller)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), Fill(endpoint.Endpoint.RoutePattern));
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (TokenOf(caller) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await fixture.Client.SendAsync(request);
    }

    private string? TokenOf(Caller caller) => caller switch
    {
        Caller.Fan => fixture.Fan.AccessToken,
        Caller.OtherFan => fixture.OtherFan.AccessToken,
        Caller.AdminOfA => fixture.AdminOfA.AccessToken,
        Caller.AdminOfB => fixture.AdminOfB.AccessToken,
        Caller.BoxOfficeOfA => fixture.BoxOfficeOfA.AccessToken,
        Caller.ScannerOfA => fixture.ScannerOfA.AccessToken,
        Caller.PlatformAdmin => fixture.PlatformAdmin.AccessToken,
        _ => null,
    };

    /// <summary>A concrete path for the pattern: organizer routes point at organizer A, other ids at nothing.</summary>
    private string Fill(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart { Name: "organizerId" } => fixture.OrganizerA.ToString(),
                    RoutePatternParameterPart { Name: "documentName" } => "v1",
                    RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content == "guid") => Guid.NewGuid().ToString(),
                    RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") => "1",
                    _ => "x",
                });
            }
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    private static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    /// <summary>"anonymous", the policy name, or null when the route states nothing.</summary>
    private static string? Rule(ApiEndpoint endpoint)
    {
        var metadata = endpoint.Endpoint.Metadata;
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return "anonymous";
        }

        var policies = metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        return policies.Count == 1 ? policies[0] : null;
    }

    private sealed record ApiEndpoint(RouteEndpoint Endpoint, string Method)
    {
        public string Key => $"{Method} /{Endpoint.RoutePattern.RawText!.Trim('/')}";
    }

    private List<ApiEndpoint> Endpoints() =>
        [.. fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new ApiEndpoint(e, m)))
            .Where(e => e.Method != "HEAD" && e.Method != "OPTIONS")];
}
