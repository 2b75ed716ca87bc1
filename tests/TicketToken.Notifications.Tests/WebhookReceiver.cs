using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// An organizer's receiver: a real HTTP server on a loopback port that records every POST and answers as told (a status, or no
/// answer at all until the sender gives up). <see cref="Verify"/> checks a signature the way a receiver is told to in the docs,
/// knowing nothing but the secret.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int?> _answers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url { get; private set; } = "";

    /// <summary>The status to answer when no queued answer is left.</summary>
    public int DefaultStatus { get; set; } = 200;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook/{name}", async (HttpContext context, string name) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new Received(name, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            var answer = receiver._answers.TryDequeue(out var queued) ? queued : receiver.DefaultStatus;
            if (answer is null)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted); // no answer: the sender's timeout ends it
            }

            return Results.Text(answer == 200 ? "ok" : "not now", statusCode: answer);
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    /// <summary>Queues answers for the next requests: a status, or null for none (a timeout).</summary>
    public void AnswerNext(params int?[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    public IReadOnlyList<Received> To(string name) => [.. Requests.Where(r => r.Name == name)];

    /// <summary>
    /// A receiver's check, from the documented scheme only: the header is <c>t=...,v1=...</c>; v1 is the hex HMAC-SHA256 of
    /// "{t}.{body}" keyed with the secret; any v1 may match (rotation); the time must be within <paramref name="tolerance"/> of now.
    /// </summary>
    public static bool Verify(string header, string body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        var pairs = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
        if (!long.TryParse(pairs.FirstOrDefault(p => p[0] == "t")?[1], out var t) || (now - DateTimeOffset.FromUnixTimeSeconds(t)).Duration() > tolerance)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return pairs.Where(p => p[0] == "v1").Any(p => p[1].Length == 64 && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(p[1]), expected));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Received(string Name, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string Signature => Headers["TicketToken-Signature"];
    }
}
