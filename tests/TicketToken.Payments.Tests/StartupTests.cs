using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using TicketToken.Testing;

namespace TicketToken.Payments.Tests;

/// <summary>Settings that cannot work stop the host at start, saying which key to set.</summary>
public sealed class StartupTests : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task The_stripe_gateway_without_its_secret_key_and_webhook_secret_refuses_to_start()
    {
        var start = () => TestHost.StartAsync([new PaymentsModule()], _database.ConnectionString,
            new Dictionary<string, string?> { ["TicketToken:Payments:Gateway"] = "stripe" });

        var failure = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.Message.Should().Contain("TicketToken:Payments:Stripe:SecretKey is not set").And.Contain("TicketToken:Payments:WebhookSecret is not set");
    }

    [Fact]
    public async Task An_unknown_gateway_refuses_to_start()
    {
        var start = () => TestHost.StartAsync([new PaymentsModule()], _database.ConnectionString,
            new Dictionary<string, string?> { ["TicketToken:Payments:Gateway"] = "paypal" });

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("use 'stripe' or 'simulated'");
    }

    [Fact]
    public void The_simulated_gateway_is_refused_in_production_and_allowed_elsewhere()
    {
        // The environment of a host is fixed when it is created, so the rule is checked on the validator itself.
        static ValidateOptionsResult Validate(string environment) =>
            new PaymentsOptionsValidation(new HostingEnvironment { EnvironmentName = environment }).Validate(null, new PaymentsOptions());

        Validate(Environments.Production).Failures.Should().ContainSingle().Which.Should().Contain("simulated in Production");
        Validate(Environments.Development).Succeeded.Should().BeTrue();
    }
}
