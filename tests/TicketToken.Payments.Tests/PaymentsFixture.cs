using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Identity;
using TicketToken.Payments.Apis;
using TicketToken.Payments.Simulated;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Payments.Tests;

/// <summary>
/// Identity and payments on a real host and a fresh database (the simulated gateway unless a subclass says otherwise),
/// plus a capture of what payments publishes, for one test class.
/// </summary>
public class PaymentsFixture : ModuleHostFixture
{
    public const string WebhookSecret = "whsec_payments_tests_secret";
    public const long HoldDays = 7;
    public const long MinimumPayout = 1000;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Payments:WebhookSecret"] = WebhookSecret,
        ["TicketToken:Payments:Payouts:HoldPeriod"] = $"{HoldDays}.00:00:00",
        ["TicketToken:Payments:Payouts:MinimumAmount"] = MinimumPayout.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new PaymentsModule(), new EventCaptureModule(PaymentSucceeded.Topic, PaymentFailed.Topic, PayoutPaid.Topic)];

    public IOrderPaymentActor PaymentOf(Guid orderId) =>
        Actors.CreateActorProxy<IOrderPaymentActor>(PaymentsActors.OrderPaymentId(orderId), PaymentsActors.OrderPayment);

    /// <summary>Makes the order's payment intent as the orders module would.</summary>
    public Task<PaymentView> CreatePaymentAsync(Guid orderId, Guid buyerId, long amount = 5000, string currency = "usd", Guid? organizerId = null) =>
        PaymentOf(orderId).CreateIntentAsync(new CreatePayment(orderId, $"TT-{orderId.ToString()[..8]}", buyerId, organizerId ?? Guid.NewGuid(), Guid.NewGuid(),
            amount, currency, DateTimeOffset.UtcNow.AddMinutes(10)));

    /// <summary>POSTs a webhook body as Stripe would; <paramref name="signature"/> null sends no Stripe-Signature header.</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(string payload, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksApi.StripePath) { Content = new StringContent(payload, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.Add(WebhooksApi.SignatureHeader, signature);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>POSTs the webhook signed with the endpoint's secret, now.</summary>
    public Task<HttpResponseMessage> PostSignedWebhookAsync(string payload) => PostWebhookAsync(payload, Sign(payload));

    /// <summary>The header Stripe would send, made by Stripe.net's own <see cref="Stripe.EventUtility.GenerateSignatureHeader"/>.</summary>
    public static string Sign(string payload, string secret = WebhookSecret, DateTimeOffset? at = null) =>
        Stripe.EventUtility.GenerateSignatureHeader(payload, secret, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());

    /// <summary>A Stripe.net client of the host's simulated gateway, as the payments module has one (the development key).</summary>
    public Stripe.IStripeClient SimulatedStripe(string? apiKey = null) => new Stripe.StripeClient(new Stripe.StripeClientOptions
    {
        ApiKey = apiKey ?? PaymentsOptions.DevelopmentSecretKey,
        ApiBase = new Uri(Host.BaseAddress, SimulatedStripeApi.Prefix).AbsoluteUri,
    });

    /// <summary>Confirms the order as orders would, and waits until the ledger has posted its sale.</summary>
    public async Task<OrderConfirmed> ConfirmOrderAsync(Guid organizerId, OrderAmounts amounts, long processorFee, string currency = "usd")
    {
        var orderId = Guid.NewGuid();
        var confirmed = new OrderConfirmed(orderId, $"TT-{orderId.ToString()[..8]}", Guid.NewGuid(), organizerId, Guid.NewGuid(), currency, amounts, processorFee,
            $"pi_test_{orderId:N}", DateTimeOffset.UtcNow);
        await PublishAsync(OrderConfirmed.Topic, confirmed);
        await PostedAsync("order_sale", orderId.ToString());
        return confirmed;
    }

    /// <summary>An organizer whose admin went through Connect onboarding (the simulated gateway's), so payouts can go to its account.</summary>
    public async Task<(Person Admin, Guid OrganizerId, string AccountId)> ConnectedOrganizerAsync(string name = "Payouts Live")
    {
        var (admin, organizerId) = await Personas.OrganizerAdminAsync(name);
        using var start = admin.Request(HttpMethod.Post, $"/api/payments/organizers/{organizerId}/connect", new { country = "DE" });
        using var started = await Client.SendAsync(start);
        var onboarding = await started.ShouldBeAsync(System.Net.HttpStatusCode.OK);
        using var finish = admin.Request(HttpMethod.Post, new Uri(onboarding.Text("onboardingUrl")).AbsolutePath);
        using var finished = await Client.SendAsync(finish);
        await finished.ShouldBeAsync(System.Net.HttpStatusCode.OK);
        var accountId = onboarding.Text("accountId");
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<bool>("select payouts_enabled from payments.organizer_accounts where account_id = $1", accountId),
            "the account.updated webhook enabled payouts");
        return (admin, organizerId, accountId);
    }

    public Task PostedAsync(string sourceType, string sourceId) =>
        Eventually.TrueAsync(async () => await Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where source_type = $1 and source_id = $2", sourceType, sourceId) == 1,
            $"the ledger posted {sourceType} {sourceId}");

    /// <summary>Every journal transaction whose entries do not sum to zero (there must be none).</summary>
    public Task<long> UnbalancedTransactionsAsync() =>
        Database.ScalarAsync<long>("select count(*) from (select transaction_id from payments.journal_entries group by transaction_id having sum(amount) <> 0) unbalanced");

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
