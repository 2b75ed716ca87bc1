using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Tests;

/// <summary>A request as it reached the double: the raw target and body, and the form as ASP.NET Core's own reader parsed it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Target,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    IReadOnlyDictionary<string, string> Form)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the double answers to the next request; <see cref="Drop"/> closes the connection without an answer.</summary>
public sealed record CannedAnswer(int Status, string Json, IReadOnlyDictionary<string, string> Headers, bool Drop = false);

/// <summary>
/// Stands in for api.stripe.com: a Kestrel server on a free loopback port that records every request and answers with
/// the Stripe-shaped JSON each test queues, in order. With nothing queued it answers 418, which no test expects.
/// </summary>
public sealed class StripeDouble : IAsyncDisposable
{
    public const string SecretKey = "sk_test_double_key";

    private readonly WebApplication _web;
    private readonly ConcurrentQueue<CannedAnswer> _answers = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private int _served;

    private StripeDouble(WebApplication web) => _web = web;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public static async Task<StripeDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var web = builder.Build();
        var stripe = new StripeDouble(web);
        web.Run(stripe.ServeAsync);
        await web.StartAsync();
        stripe.Address = new Uri(web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stripe;
    }

    public void Answer(int status, string json, params (string Name, string Value)[] headers) =>
        _answers.Enqueue(new CannedAnswer(status, json, headers.ToDictionary(h => h.Name, h => h.Value)));

    public void DropConnection() => _answers.Enqueue(new CannedAnswer(0, "", new Dictionary<string, string>(), Drop: true));

    public StripeClient Client(int maxNetworkRetries = 2) => new(_http, new StripeOptions
    {
        SecretKey = SecretKey,
        ApiBase = Address,
        MaxNetworkRetries = maxNetworkRetries,
        InitialRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
    });

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        request.Body.Position = 0;
        var form = request.HasFormContentType
            ? (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString())
            : new Dictionary<string, string>();
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            context.Features.Get<IHttpRequestFeature>()!.RawTarget,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            form));

        if (!_answers.TryDequeue(out var answer))
        {
            answer = new CannedAnswer(418, """{"error":{"type":"invalid_request_error","message":"the test queued no answer"}}""", new Dictionary<string, string>());
        }

        if (answer.Drop)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.Headers["Request-Id"] = $"req_double_{Interlocked.Increment(ref _served)}";
        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Json);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
