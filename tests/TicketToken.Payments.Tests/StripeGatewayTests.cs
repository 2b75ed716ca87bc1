using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Domain;
using TicketToken.Testing;

namespace TicketToken.Payments.Tests;

/// <summary>The payments module on the stripe gateway, against the recording Stripe double.</summary>
public sealed class StripeGatewayFixture : PaymentsFixture
{
    public StripeDouble Stripe { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Payments:Gateway"] = "stripe",
        ["TicketToken:Payments:Stripe:SecretKey"] = StripeDouble.SecretKey,
        ["TicketToken:Payments:Stripe:ApiBase"] = Stripe.Address.ToString(),
        ["TicketToken:Payments:Stripe:MaxNetworkRetries"] = "0",
    };

    public override async Task InitializeAsync()
    {
        Stripe = await StripeDouble.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

/// <summary>
/// What the stripe gateway sends Stripe for each step of a payment and a payout: paths, the idempotency keys (the order
/// id for the intent, the refund id, the payout id) and the order's metadata. The double answers what each test queues.
/// </summary>
public sealed class StripeGatewayTests(StripeGatewayFixture fixture) : IClassFixture<StripeGatewayFixture>
{
    private StripeDouble Stripe => fixture.Stripe;

    [Fact]
    public async Task An_intent_is_created_with_the_order_id_as_idempotency_key_and_in_the_metadata_once_per_order()
    {
        var (orderId, buyerId, organizerId, intentId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), NewIntentId());
        var before = Stripe.Requests.Count;
        Stripe.Answer(200, StripeEvents.Intent(intentId, orderId, "requires_payment_method", amount: 11_300).ToJsonString());

        var payment = await fixture.CreatePaymentAsync(orderId, buyerId, amount: 11_300, currency: "USD", organizerId: organizerId);
        var again = await fixture.CreatePaymentAsync(orderId, buyerId, amount: 11_300, currency: "USD", organizerId: organizerId);

        var request = Stripe.Requests.Skip(before).Should().ContainSingle("the second call finds the order's intent").Subject;
        request.Method.Should().Be("POST");
        request.Target.Should().Be("/v1/payment_intents");
        request.Header("Idempotency-Key").Should().Be(orderId.ToString());
        request.Header("Authorization").Should().Be($"Bearer {StripeDouble.SecretKey}");
        request.Form.Should().Contain(new Dictionary<string, string>
        {
            ["amount"] = "11300",
            ["currency"] = "usd",
            ["metadata[order_id]"] = orderId.ToString(),
            ["metadata[buyer_id]"] = buyerId.ToString(),
            ["metadata[organizer_id]"] = organizerId.ToString(),
        });
        payment.Should().BeEquivalentTo(new { OrderId = orderId, Gateway = "stripe", IntentId = intentId, ClientSecret = $"{intentId}_secret_test", Status = "requires_payment_method" });
        again.Should().Be(payment);
    }

    [Fact]
    public async Task Canceling_posts_the_cancel_with_a_reason_and_a_key_of_its_own()
    {
        var (orderId, intentId) = await CreateAsync();
        var before = Stripe.Requests.Count;
        Stripe.Answer(200, StripeEvents.Intent(intentId, orderId, "canceled").ToJsonString());

        var canceled = await fixture.PaymentOf(orderId).CancelIntentAsync(new CancelPayment(orderId, "hold_expired"));

        var request = Stripe.Requests.Skip(before).Should().ContainSingle().Subject;
        request.Target.Should().Be($"/v1/payment_intents/{intentId}/cancel");
        request.Header("Idempotency-Key").Should().Be($"{orderId}:cancel");
        request.Form.Should().Equal(new Dictionary<string, string> { ["cancellation_reason"] = "abandoned" });
        canceled.Status.Should().Be(PaymentStatuses.Canceled);
    }

    [Fact]
    public async Task Canceling_an_intent_the_fan_already_paid_reads_it_back_and_answers_succeeded()
    {
        var (orderId, intentId) = await CreateAsync();
        var before = Stripe.Requests.Count;
        Stripe.Answer(400, """
            {"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state",
            "message":"You cannot cancel this PaymentIntent because it has a status of succeeded."}}
            """);
        Stripe.Answer(200, StripeEvents.Intent(intentId, orderId, "succeeded").ToJsonString());

        var canceled = await fixture.PaymentOf(orderId).CancelIntentAsync(new CancelPayment(orderId, "hold_expired"));

        Stripe.Requests.Skip(before).Select(r => $"{r.Method} {r.Target}")
            .Should().Equal($"POST /v1/payment_intents/{intentId}/cancel", $"GET /v1/payment_intents/{intentId}");
        canceled.Status.Should().Be(PaymentStatuses.Succeeded);
    }

    [Fact]
    public async Task A_refund_is_posted_for_the_intent_with_the_refund_id_as_idempotency_key()
    {
        var (orderId, intentId) = await CreateAsync();
        using var paid = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded")));
        await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        var refundId = Guid.NewGuid();
        var before = Stripe.Requests.Count;
        Stripe.Answer(200, $$"""
            {"id":"re_double","object":"refund","amount":2000,"currency":"usd","status":"pending","payment_intent":"{{intentId}}",
             "reason":"requested_by_customer","metadata":{"order_id":"{{orderId}}","refund_id":"{{refundId}}"},"created":1700000000}
            """);

        var refund = await fixture.PaymentOf(orderId).RefundAsync(new RefundPayment(orderId, refundId, 2000, "event_cancelled"));

        var request = Stripe.Requests.Skip(before).Should().ContainSingle().Subject;
        request.Target.Should().Be("/v1/refunds");
        request.Header("Idempotency-Key").Should().Be(refundId.ToString());
        request.Form.Should().Equal(new Dictionary<string, string>
        {
            ["payment_intent"] = intentId,
            ["amount"] = "2000",
            ["reason"] = "requested_by_customer",
            ["metadata[order_id]"] = orderId.ToString(),
            ["metadata[refund_id]"] = refundId.ToString(),
        });
        refund.Should().Be(new RefundView(refundId, "re_double", "pending", 2000, null));

        // Stripe reports the refund's end by webhook.
        var succeeded = new JsonObject
        {
            ["id"] = "re_double", ["object"] = "refund", ["amount"] = 2000, ["currency"] = "usd", ["status"] = "succeeded", ["payment_intent"] = intentId,
            ["metadata"] = new JsonObject { ["order_id"] = orderId.ToString(), ["refund_id"] = refundId.ToString() }, ["created"] = 1700000000,
        };
        using var updated = await fixture.PostSignedWebhookAsync(StripeEvents.Event("refund.updated", succeeded));
        await updated.ShouldBeAsync(HttpStatusCode.OK);
        (await fixture.Database.ScalarAsync<string>("select status from payments.refunds where refund_id = $1", refundId)).Should().Be("succeeded");
    }

    [Fact]
    public async Task Onboarding_creates_an_express_account_and_a_link_and_a_payout_is_a_transfer_keyed_by_the_payout_id()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Stripe Live");
        var accountId = $"acct_{Guid.NewGuid():N}"[..21];
        var before = Stripe.Requests.Count;
        Stripe.Answer(200, StripeEvents.Account(accountId, organizerId, enabled: false).ToJsonString());
        Stripe.Answer(200, """{"object":"account_link","url":"https://connect.stripe.com/setup/e/acct_x/abc","created":1700000000,"expires_at":1700000300}""");

        using var start = admin.Request(HttpMethod.Post, $"/api/payments/organizers/{organizerId}/connect", new { country = "de", email = "money@example.com" });
        using var started = await fixture.Client.SendAsync(start);

        (await started.ShouldBeAsync(HttpStatusCode.OK)).Text("onboardingUrl").Should().Be("https://connect.stripe.com/setup/e/acct_x/abc");
        var (account, link) = (Stripe.Requests[before], Stripe.Requests[before + 1]);
        account.Target.Should().Be("/v1/accounts");
        account.Header("Idempotency-Key").Should().Be($"connect:{organizerId}");
        account.Form.Should().Contain(new Dictionary<string, string>
        {
            ["type"] = "express", ["country"] = "DE", ["email"] = "money@example.com", ["metadata[organizer_id]"] = organizerId.ToString(),
            ["capabilities[transfers][requested]"] = "true",
        });
        link.Target.Should().Be("/v1/account_links");
        link.Form.Should().Contain(new Dictionary<string, string> { ["account"] = accountId, ["type"] = "account_onboarding" });

        // Stripe says onboarding is done; the module reads the account back before it believes it.
        Stripe.Answer(200, StripeEvents.Account(accountId, organizerId, enabled: true).ToJsonString());
        using var updated = await fixture.PostSignedWebhookAsync(StripeEvents.Event("account.updated", StripeEvents.Account(accountId, organizerId, enabled: true)));
        await updated.ShouldBeAsync(HttpStatusCode.OK);
        Stripe.Requests[^1].Target.Should().Be($"/v1/accounts/{accountId}");

        await fixture.ConfirmOrderAsync(organizerId, new OrderAmounts(10_000, 1_000, 1_500, 800, 11_300), 358);
        Stripe.Answer(200, $$"""{"id":"tr_double","object":"transfer","amount":9000,"currency":"usd","destination":"{{accountId}}","metadata":{},"created":1700000000}""");
        var payouts = await RunAsync(organizerId);

        var payout = payouts.Should().ContainSingle().Subject;
        var transfer = Stripe.Requests[^1];
        transfer.Target.Should().Be("/v1/transfers");
        transfer.Header("Idempotency-Key").Should().Be(payout.Id.ToString());
        transfer.Form.Should().Equal(new Dictionary<string, string>
        {
            ["amount"] = "9000",
            ["currency"] = "usd",
            ["destination"] = accountId,
            ["metadata[payout_id]"] = payout.Id.ToString(),
            ["metadata[organizer_id]"] = organizerId.ToString(),
        });
        payout.Status.Should().Be(PayoutRun.Paid);
        payout.TransferId.Should().Be("tr_double");
    }

    [Fact]
    public async Task A_transfer_Stripe_refuses_gives_the_money_back_to_the_organizer_and_one_without_an_answer_is_retried_with_the_same_key()
    {
        var (_, organizerId) = await fixture.Personas.OrganizerAdminAsync("Refused Live");
        var accountId = $"acct_{Guid.NewGuid():N}"[..21];
        // Onboarded already (the previous test goes through onboarding itself).
        await fixture.Database.ExecuteAsync(
            "insert into payments.organizer_accounts values ($1, 'stripe', $2, true, true, true, now(), now())", organizerId, accountId);
        await fixture.ConfirmOrderAsync(organizerId, new OrderAmounts(10_000, 1_000, 1_500, 800, 11_300), 358);

        Stripe.Answer(503, """{"error":{"type":"api_error","message":"Stripe is having a moment."}}""");
        var unanswered = (await RunAsync(organizerId)).Should().ContainSingle().Subject;
        Stripe.Answer(400, """{"error":{"type":"invalid_request_error","code":"insufficient_capabilities_for_transfer","message":"The destination cannot take transfers."}}""");
        var refused = (await RunAsync(organizerId)).Should().ContainSingle().Subject;

        unanswered.Status.Should().Be(PayoutRun.Pending);
        refused.Id.Should().Be(unanswered.Id, "the next run finishes the pending payout before it makes a new one");
        refused.Status.Should().Be(PayoutRun.Failed);
        refused.FailureMessage.Should().Be("The destination cannot take transfers.");
        Stripe.Requests.Where(r => r.Target == "/v1/transfers").TakeLast(2).Select(r => r.Header("Idempotency-Key"))
            .Should().Equal(unanswered.Id.ToString(), unanswered.Id.ToString());
        (await fixture.Database.ScalarAsync<long>("select coalesce(-sum(amount), 0) from payments.journal_entries where account = $1",
            LedgerAccounts.OrganizerPayable(organizerId))).Should().Be(9_000, "the refused payout was posted back");
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
    }

    private async Task<(Guid OrderId, string IntentId)> CreateAsync()
    {
        var (orderId, intentId) = (Guid.NewGuid(), NewIntentId());
        Stripe.Answer(200, StripeEvents.Intent(intentId, orderId, "requires_payment_method").ToJsonString());
        await fixture.CreatePaymentAsync(orderId, Guid.NewGuid());
        return (orderId, intentId);
    }

    private Task<IReadOnlyList<Data.Payout>> RunAsync(Guid organizerId) =>
        fixture.InScopeAsync(services => services.GetRequiredService<PayoutRun>().RunAsync(organizerId, DateTimeOffset.UtcNow.AddDays(PaymentsFixture.HoldDays + 1), CancellationToken.None));

    private static string NewIntentId() => $"pi_{Guid.NewGuid():N}";
}
