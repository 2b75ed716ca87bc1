using System.Net;
using TicketToken.Contracts.Orders;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Payments.Tests;

/// <summary>
/// An organizer's view of its money (balances, Connect onboarding) and the platform's revenue report: each caller sees
/// only what is theirs, and another organizer's is answered 404.
/// </summary>
public sealed class OrganizerPaymentsTests(PaymentsFixture fixture) : IClassFixture<PaymentsFixture>
{
    private static readonly OrderAmounts Sale = new(FaceValue: 10_000, Discount: 1_000, Fees: 1_500, Tax: 800, Total: 11_300);

    [Fact]
    public async Task A_balance_shows_only_the_organizers_own_money_and_another_organizers_admin_gets_404()
    {
        var (adminOfA, a) = await fixture.Personas.OrganizerAdminAsync("Organizer A");
        var (adminOfB, b) = await fixture.Personas.OrganizerAdminAsync("Organizer B");
        var fan = await fixture.Personas.FanAsync();
        var operator_ = await fixture.Personas.PlatformAdminAsync();
        await fixture.ConfirmOrderAsync(a, Sale, 358);
        await fixture.ConfirmOrderAsync(b, new OrderAmounts(2_000, 0, 300, 0, 2_300), 97);

        var own = await BalanceAsync(adminOfA, a);
        var asOperator = await BalanceAsync(operator_, a);
        var ofB = await BalanceAsync(adminOfB, b);
        using var foreign = await SendAsync(adminOfB, HttpMethod.Get, $"/api/payments/organizers/{a}/balance");
        using var asFan = await SendAsync(fan, HttpMethod.Get, $"/api/payments/organizers/{a}/balance");

        own.Should().Equal(("usd", 9_000L));
        asOperator.Should().Equal(("usd", 9_000L));
        ofB.Should().Equal(("usd", 2_000L));
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        (await foreign.Content.ReadAsStringAsync()).Should().NotContain("9000");
        await asFan.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Connect_onboarding_gives_a_link_and_ends_with_payouts_enabled_by_the_account_updated_webhook()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Onboarding Live");
        var (intruder, _) = await fixture.Personas.OrganizerAdminAsync("Intruder Live");

        using var notStarted = await SendAsync(admin, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/connect");
        using var started = await SendAsync(admin, HttpMethod.Post, $"/api/payments/organizers/{organizerId}/connect", new { });
        var onboarding = await started.ShouldBeAsync(HttpStatusCode.OK);
        var accountId = onboarding.Text("accountId");
        using var midway = await SendAsync(admin, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/connect");
        var link = new Uri(onboarding.Text("onboardingUrl")).AbsolutePath;
        using var hijack = await SendAsync(intruder, HttpMethod.Post, link);
        using var finished = await SendAsync(admin, HttpMethod.Post, link);
        using var restarted = await SendAsync(admin, HttpMethod.Post, $"/api/payments/organizers/{organizerId}/connect", new { country = "DE" });

        (await notStarted.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("not_started");
        accountId.Should().StartWith("acct_sim_");
        link.Should().Be($"/api/payments/simulated/accounts/{accountId}/onboarding");
        (await midway.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("onboarding");
        await hijack.ShouldBeProblemAsync(HttpStatusCode.NotFound, "account_not_found");
        (await finished.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("payoutsEnabled").GetBoolean().Should().BeTrue();
        (await restarted.ShouldBeAsync(HttpStatusCode.OK)).Text("accountId").Should().Be(accountId, "an organizer has one connected account");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.webhook_events where type = 'account.updated' and payload #>> '{data,object,id}' = $1", accountId) == 1,
            "the account.updated webhook");
        (await fixture.Database.ScalarAsync<bool>("select payouts_enabled from payments.organizer_accounts where organizer_id = $1", organizerId)).Should().BeTrue();
        using var enabled = await SendAsync(admin, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/connect");
        (await enabled.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("enabled");
    }

    [Fact]
    public async Task The_revenue_report_totals_fees_and_processor_fees_per_currency_per_day_for_platform_admins_only()
    {
        var operator_ = await fixture.Personas.PlatformAdminAsync();
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Revenue Live");
        var before = await RevenueAroundTodayAsync(operator_);

        await fixture.ConfirmOrderAsync(organizerId, Sale, 358, "usd");
        await fixture.ConfirmOrderAsync(organizerId, new OrderAmounts(5_000, 0, 700, 0, 5_700), 120, "eur");
        var after = await RevenueAroundTodayAsync(operator_);
        using var asOrganizer = await SendAsync(admin, HttpMethod.Get, "/api/payments/reports/revenue");
        using var backwards = await SendAsync(operator_, HttpMethod.Get, "/api/payments/reports/revenue?from=2025-02-01&to=2025-01-01");
        using var tooLong = await SendAsync(operator_, HttpMethod.Get, "/api/payments/reports/revenue?from=2024-01-01&to=2025-06-01");

        Delta("usd").Should().Be((1_500L, 358L, 1_142L));
        Delta("eur").Should().Be((700L, 120L, 580L));
        await asOrganizer.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await backwards.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_range");
        await tooLong.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_range");

        (long, long, long) Delta(string currency)
        {
            var (revenue, fees, net) = after.GetValueOrDefault(currency);
            var (revenueBefore, feesBefore, netBefore) = before.GetValueOrDefault(currency);
            return (revenue - revenueBefore, fees - feesBefore, net - netBefore);
        }
    }

    /// <summary>Totals per currency from yesterday to tomorrow, so that a test running across midnight still sees its sales.</summary>
    private async Task<Dictionary<string, (long Revenue, long Fees, long Net)>> RevenueAroundTodayAsync(Person operator_)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var response = await SendAsync(operator_, HttpMethod.Get, $"/api/payments/reports/revenue?from={Day(today.AddDays(-1))}&to={Day(today.AddDays(1))}");
        var report = await response.ShouldBeAsync(HttpStatusCode.OK);
        var days = report.GetProperty("days").EnumerateArray().ToList();
        days.Should().NotContain(d => d.GetProperty("net").GetInt64() != d.GetProperty("platformRevenue").GetInt64() - d.GetProperty("processorFees").GetInt64());
        days.Select(d => (d.Text("day"), d.Text("currency"))).Should().OnlyHaveUniqueItems("one row per currency per day");
        return days.GroupBy(d => d.Text("currency")).ToDictionary(g => g.Key, g => (
            g.Sum(d => d.GetProperty("platformRevenue").GetInt64()), g.Sum(d => d.GetProperty("processorFees").GetInt64()), g.Sum(d => d.GetProperty("net").GetInt64())));

        static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IReadOnlyList<(string Currency, long Balance)>> BalanceAsync(Person person, Guid organizerId)
    {
        using var response = await SendAsync(person, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/balance");
        var body = await response.ShouldBeAsync(HttpStatusCode.OK);
        return [.. body.GetProperty("balances").EnumerateArray().Select(b => (b.Text("currency"), b.GetProperty("balance").GetInt64()))];
    }

    private async Task<HttpResponseMessage> SendAsync(Person person, HttpMethod method, string path, object? body = null)
    {
        using var request = person.Request(method, path, body);
        return await fixture.Client.SendAsync(request);
    }
}
