using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;

namespace TicketToken.Tickets.Tests;

/// <summary>Settings that cannot work stop the host before it answers anything.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("TicketToken:Tickets:CodeStepSeconds", "31", "CodeStepSeconds must be 1 to 30")]
    [InlineData("TicketToken:Tickets:CodeStepSeconds", "0", "CodeStepSeconds must be 1 to 30")]
    [InlineData("TicketToken:Tickets:ExpiryGrace", "-01:00:00", "ExpiryGrace cannot be negative")]
    public async Task A_code_step_beyond_thirty_seconds_or_a_negative_grace_stops_the_start(string setting, string value, string message)
    {
        var start = () => StartAsync(new Dictionary<string, string?> { [setting] = value });

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(message);
    }

    [Fact]
    public async Task A_secret_key_that_is_not_32_bytes_stops_the_start()
    {
        var start = () => StartAsync(new Dictionary<string, string?> { ["TicketToken:Tickets:SecretKey"] = Convert.ToBase64String(new byte[16]) });

        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("TicketToken:Tickets:SecretKey must be the base64 of exactly 32 bytes");
    }

    [Fact]
    public void Production_without_a_secret_key_refuses_to_protect_anything_while_development_warns_and_uses_the_public_key()
    {
        var production = () => SecretProtector.FromSetting(null, TicketsOptions.SecretKeySetting, "seed", new HostingEnvironment { EnvironmentName = Environments.Production }, NullLogger.Instance);
        var development = SecretProtector.FromSetting(null, TicketsOptions.SecretKeySetting, "seed", new HostingEnvironment { EnvironmentName = Environments.Development }, NullLogger.Instance);

        production.Should().Throw<InvalidOperationException>().WithMessage("TicketToken:Tickets:SecretKey is not set*");
        development.Unprotect(development.Protect([1, 2, 3])).Should().Equal(1, 2, 3);
    }

    private static async Task StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        var host = await TestHost.StartAsync([new TicketsModule()], database.ConnectionString, settings);
        await host.DisposeAsync();
    }
}
