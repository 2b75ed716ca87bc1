using System.Collections.Concurrent;
using System.Net;
using Dapr;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.Dapr.SidecarDouble;

namespace TicketToken.Dapr.SdkReferee.Tests;

/// <summary>
/// An app written the way the Dapr SDK's own examples write one: Dapr.AspNetCore subscriptions and CloudEvents
/// unwrapping, a plain endpoint to invoke, and Dapr.Actors hosting <see cref="ScoreboardActor"/> (remoting with
/// JSON serialization). Its sidecar is the double.
/// </summary>
public sealed class RefereeApp : IAsyncDisposable
{
    public const string AppId = "referee";
    public const string PubSub = "pubsub";
    public const string Topic = "scores";

    private readonly WebApplication _web;

    private RefereeApp(WebApplication web, Uri address, ConcurrentQueue<ScoreMessage> received)
    {
        _web = web;
        Address = address;
        Received = received;
    }

    public Uri Address { get; }

    /// <summary>Messages the subscription handler was given, after Dapr.AspNetCore unwrapped their CloudEvent.</summary>
    public ConcurrentQueue<ScoreMessage> Received { get; }

    public static async Task<RefereeApp> StartAsync(SidecarDouble.SidecarDouble sidecar)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(RefereeApp).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<ScoreboardActor>();
            options.UseJsonSerialization = true;
            options.HttpEndpoint = sidecar.Address.ToString().TrimEnd('/');
            options.DaprApiToken = sidecar.Options.ApiToken;
        });
        var received = new ConcurrentQueue<ScoreMessage>();
        var web = builder.Build();
        web.UseCloudEvents();
        web.MapSubscribeHandler();
        web.MapPost("/scores", (ScoreMessage message) =>
        {
            received.Enqueue(message);
            return Results.Ok();
        }).WithTopic(PubSub, Topic);
        web.MapGet("/greetings/{name}", (string name, HttpRequest request) =>
            Results.Ok(new Greeting($"hello {name}", request.Headers["dapr-caller-app-id"].ToString(), request.Headers["x-request-tag"].ToString())));
        web.MapActorsHandlers();
        await web.StartAsync();
        var address = new Uri(web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var app = new RefereeApp(web, address, received);
        await sidecar.ConnectAppAsync(address);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}

public sealed record ScoreMessage(string Player, int Points);

public sealed record Greeting(string Text, string Caller, string Tag);
