using Dapr.Client;
using TicketToken.Dapr.SidecarDouble;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketToken.Dapr.SdkReferee.Tests;

/// <summary>One backplane, the referee app behind its double sidecar (DAPR_API_TOKEN set), and a Dapr.Client for it.</summary>
public sealed class RefereeFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string ApiToken = "referee-api-token";

    public DaprBackplane Backplane { get; private set; } = null!;

    public SidecarDouble.SidecarDouble Sidecar { get; private set; } = null!;

    public RefereeApp App { get; private set; } = null!;

    public DaprClient Client { get; private set; } = null!;

    public DaprClient ClientWithToken(string? token)
    {
        var builder = new DaprClientBuilder().UseHttpEndpoint(Sidecar.Address.ToString()).UseGrpcEndpoint(Sidecar.GrpcAddress.ToString());
        if (token is not null)
        {
            builder.UseDaprApiToken(token);
        }

        return builder.Build();
    }

    public async Task InitializeAsync()
    {
        diagnostics.OnMessage(new DiagnosticMessage("The official Dapr .NET SDK (Dapr.Client, Dapr.AspNetCore, Dapr.Actors 1.19.1) against the in-repo sidecar double."));
        Backplane = new DaprBackplane(new DaprBackplaneOptions { ReminderRetryMax = TimeSpan.FromSeconds(1) });
        Sidecar = await SidecarDouble.SidecarDouble.StartAsync(Backplane, new SidecarDoubleOptions { AppId = RefereeApp.AppId, ApiToken = ApiToken });
        App = await RefereeApp.StartAsync(Sidecar);
        Client = ClientWithToken(ApiToken);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        if (Backplane is not null)
        {
            await Backplane.DisposeAsync();
        }
    }
}
