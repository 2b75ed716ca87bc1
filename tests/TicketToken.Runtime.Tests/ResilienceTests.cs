using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.Security;

namespace TicketToken.Runtime.Tests;

/// <summary>The Polly pipelines that replaced hand-written retry loops: what they retry, and when they give up.</summary>
public sealed class ResilienceTests
{
    [Fact]
    public async Task A_key_set_fetch_that_fails_once_is_retried_and_the_key_is_learned_on_the_same_request()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        var document = JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "EC", crv = "P-256", use = "sig", alg = "ES256", kid = "key-1", x = Base64Url(point.X!), y = Base64Url(point.Y!) } },
        });
        var requests = 0;
        await using var identity = await ServeAsync(context =>
        {
            // The first answer is what a restarting identity pod gives; the retry finds it back.
            if (Interlocked.Increment(ref requests) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(document);
        });
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.AddTicketTokenAuthentication(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TicketToken:Auth:JwksUrl"] = new Uri(identity.Address, ".well-known/jwks.json").ToString(),
        }).Build());
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<JwksKeyCache>();

        await cache.EnsureAsync("key-1", CancellationToken.None);

        cache.Keys.Select(k => k.KeyId).Should().Equal("key-1");
        requests.Should().Be(2);
    }

    [Fact]
    public async Task The_outcome_writers_pipeline_gives_up_after_its_attempts_and_the_relays_keeps_going_until_it_succeeds()
    {
        var bounded = Resilience.Bounded(NullLogger.Instance, "a test write", attempts: 3);
        var forever = Resilience.Forever(NullLogger.Instance, "a test relay");
        var boundedCalls = 0;
        var foreverCalls = 0;

        var gaveUp = () => bounded.ExecuteAsync(_ =>
        {
            boundedCalls++;
            throw new IOException("database down");
        }).AsTask();
        var relayed = await forever.ExecuteAsync(_ => ++foreverCalls < 4 ? throw new IOException("broker down") : ValueTask.FromResult(foreverCalls));

        await gaveUp.Should().ThrowAsync<IOException>();
        boundedCalls.Should().Be(3);
        relayed.Should().Be(4);
    }

    [Fact]
    public async Task Stopping_the_host_is_not_retried()
    {
        var forever = Resilience.Forever(NullLogger.Instance, "a test relay");
        using var stopping = new CancellationTokenSource();
        var calls = 0;

        var act = () => forever.ExecuteAsync(token =>
        {
            calls++;
            stopping.Cancel();
            token.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }, stopping.Token).AsTask();

        await act.Should().ThrowAsync<OperationCanceledException>();
        calls.Should().Be(1);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<Server> ServeAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var web = builder.Build();
        web.Run(handler);
        await web.StartAsync();
        return new Server(web, new Uri(web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/"));
    }

    private sealed record Server(WebApplication Web, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Web.DisposeAsync();
    }
}
