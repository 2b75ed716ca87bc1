using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// Where the sidecar is and how to talk to it. Read from the environment Dapr sets for the app:
/// <c>DAPR_HTTP_ENDPOINT</c> or <c>DAPR_HTTP_PORT</c> (default 3500), <c>DAPR_GRPC_ENDPOINT</c> or
/// <c>DAPR_GRPC_PORT</c> (default 50001), <c>DAPR_API_TOKEN</c> (sent on every call), <c>APP_API_TOKEN</c>
/// (required on every call the sidecar makes to us), <c>APP_ID</c>.
/// </summary>
public sealed class DaprOptions
{
    public Uri SidecarAddress { get; init; } = new("http://127.0.0.1:3500/");

    /// <summary>The sidecar's gRPC API, which Dapr.Client uses for state and publish.</summary>
    public Uri GrpcAddress { get; init; } = new("http://127.0.0.1:50001/");
    public string? ApiToken { get; init; }
    public string? AppApiToken { get; init; }
    public string? AppId { get; init; }

    /// <summary>How long start-up waits for the sidecar (<c>DAPR_HEALTH_TIMEOUT</c> seconds, default 60).</summary>
    public TimeSpan SidecarWaitTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static DaprOptions Read(IConfiguration configuration)
    {
        var endpoint = configuration["DAPR_HTTP_ENDPOINT"];
        var port = configuration["DAPR_HTTP_PORT"];
        var address = endpoint is { Length: > 0 }
            ? new Uri(endpoint.TrimEnd('/') + "/")
            : new Uri($"http://127.0.0.1:{(port is { Length: > 0 } ? port : "3500")}/");
        var grpcEndpoint = configuration["DAPR_GRPC_ENDPOINT"];
        var grpcPort = configuration["DAPR_GRPC_PORT"];
        var grpc = grpcEndpoint is { Length: > 0 }
            ? new Uri(grpcEndpoint.TrimEnd('/') + "/")
            : new Uri($"http://127.0.0.1:{(grpcPort is { Length: > 0 } ? grpcPort : "50001")}/");
        var wait = int.TryParse(configuration["DAPR_HEALTH_TIMEOUT"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds : 60;
        return new DaprOptions
        {
            SidecarAddress = address,
            GrpcAddress = grpc,
            ApiToken = Blank(configuration["DAPR_API_TOKEN"]),
            AppApiToken = Blank(configuration["APP_API_TOKEN"]),
            AppId = Blank(configuration["APP_ID"]),
            SidecarWaitTimeout = TimeSpan.FromSeconds(wait),
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// The HTTP channel to the sidecar for what Dapr.Client does not cover here (actors, see ADR 0013) and the pool
/// under service invocation: one pooled handler, the API token on every request.
/// </summary>
public sealed class DaprSidecar(DaprOptions options) : IDisposable
{
    public const string ApiTokenHeader = "dapr-api-token";

    private readonly HttpMessageHandler _handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    public DaprOptions Options { get; } = options;

    /// <summary>A client for the sidecar's API (<c>/v1.0/...</c>); dispose it, the connection pool is shared.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = Options.SidecarAddress };
        if (Options.ApiToken is { } token)
        {
            client.DefaultRequestHeaders.Add(ApiTokenHeader, token);
        }

        return client;
    }

    internal HttpMessageHandler Handler => _handler;

    public void Dispose() => _handler.Dispose();

    internal static async Task<DaprError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var parsed = JsonSerializer.Deserialize<DaprErrorBody>(body);
            return new DaprError(response.StatusCode, parsed?.ErrorCode ?? "", parsed?.Message ?? body);
        }
        catch (JsonException)
        {
            return new DaprError(response.StatusCode, "", body);
        }
    }

    internal static StringContent Json(string json, string mediaType = "application/json") =>
        new(json, System.Text.Encoding.UTF8, new MediaTypeHeaderValue(mediaType));

    /// <summary>A Go duration, the format Dapr parses for periods and timeouts (no days: Go has none).</summary>
    public static string GoDuration(TimeSpan value) =>
        ((long)Math.Max(0, value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";

    private sealed record DaprErrorBody(
        [property: JsonPropertyName("errorCode")] string? ErrorCode,
        [property: JsonPropertyName("message")] string? Message);
}

/// <summary>An error the sidecar reported: status, Dapr's <c>errorCode</c> and message.</summary>
public sealed record DaprError(HttpStatusCode Status, string ErrorCode, string Message)
{
    public override string ToString() => $"{(int)Status} {ErrorCode}: {Message}";
}

/// <summary>The sidecar refused or failed a call.</summary>
public sealed class DaprException(string message, DaprError? error = null, Exception? inner = null) : Exception(message, inner)
{
    public DaprError? Error { get; } = error;
}
