using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using TicketToken.Minting.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Minting.Tests;

/// <summary>The Solana backend with an alert threshold no fee payer here reaches (airdrops keep it minting), and every log entry kept.</summary>
public sealed class LowFeePayerFixture : MintingFixture
{
    public const long Threshold = 1_000_000_000_000_000;

    public CapturedLogs Logs { get; } = new();

    protected override string Backend => MirrorBackends.Solana;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Minting:Solana:FeePayerAlertLamports"] = Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override Action<WebApplicationBuilder> Configure => builder => builder.Logging.AddProvider(Logs);
}

/// <summary>The fee payer's balance is read from the chain, published as a metric and on the admin route, and alerted on below the threshold.</summary>
public sealed class FeePayerTests(LowFeePayerFixture fixture) : IClassFixture<LowFeePayerFixture>
{
    [SolanaFact]
    public async Task A_fee_payer_below_the_threshold_is_alerted_in_the_log_and_its_balance_is_a_metric_and_on_the_admin_route()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, fan.UserId);
        await fixture.MirroredAsync(tickets[0]);

        await Eventually.TrueAsync(() => Task.FromResult(fixture.Logs.Text.Contains("ALERT: the minting fee payer", StringComparison.Ordinal)), "the low balance was alerted");
        var admin = await fixture.Personas.PlatformAdminAsync();
        using var report = await fixture.Client.SendAsync(admin, HttpMethod.Get, "/api/minting/reconciliation");
        var reported = (await report.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("feePayerLamports").GetInt64();
        reported.Should().BePositive().And.BeLessThan(LowFeePayerFixture.Threshold);

        // Other test classes' hosts run in this process too: one of the gauges is this host's.
        var observed = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MintingMetrics.MeterName && instrument.Name == "tickettoken.minting.fee_payer.lamports")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => observed.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();
        observed.Should().Contain(reported, "the gauge shows the balance last read");
    }
}
