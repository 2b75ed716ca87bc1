using System.Net;
using TicketToken.Contracts.Payments;
using TicketToken.Testing;

namespace TicketToken.Payments.Tests;

/// <summary>
/// The webhook endpoint: only correctly signed, fresh events get in; each event id counts once; events may come in
/// any order, and a payment that succeeded stays succeeded; the outcome is published with the event's recording.
/// </summary>
public sealed class WebhookTests(PaymentsFixture fixture) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task A_signed_payment_intent_succeeded_publishes_PaymentSucceeded_with_the_processor_fee()
    {
        var (orderId, intentId) = await NewPaymentAsync(amount: 5000);
        var payload = StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded", amount: 5000));

        using var response = await fixture.PostSignedWebhookAsync(payload);

        var body = await response.ShouldBeAsync(HttpStatusCode.OK);
        body.GetProperty("duplicate").GetBoolean().Should().BeFalse();
        var succeeded = await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        succeeded.Text("intentId").Should().Be(intentId);
        succeeded.GetProperty("amount").GetInt64().Should().Be(5000);
        succeeded.Text("currency").Should().Be("usd");
        succeeded.GetProperty("processorFee").GetInt64().Should().Be(175, "2.9 % of 5000 is 145, plus 30");
        (await fixture.PaymentOf(orderId).GetAsync())!.Status.Should().Be(PaymentStatuses.Succeeded);
    }

    [Fact]
    public async Task The_same_event_delivered_twice_is_recorded_once_and_published_once()
    {
        var (orderId, intentId) = await NewPaymentAsync();
        var payload = StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded"));

        using var first = await fixture.PostSignedWebhookAsync(payload);
        using var second = await fixture.PostSignedWebhookAsync(payload);
        await fixture.DrainAsync();

        (await first.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("duplicate").GetBoolean().Should().BeFalse();
        (await second.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("duplicate").GetBoolean().Should().BeTrue();
        fixture.Events.On(PaymentSucceeded.Topic).Count(e => e.Text("orderId") == orderId.ToString()).Should().Be(1);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.webhook_events where id = $1", StripeEvents.Id(payload))).Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_event_all_answer_200_and_it_takes_effect_once()
    {
        var (orderId, intentId) = await NewPaymentAsync();
        var payload = StripeEvents.Event("payment_intent.payment_failed",
            StripeEvents.Intent(intentId, orderId, "requires_payment_method", lastPaymentError: StripeEvents.Declined()));

        // Each delivery is in its own transaction; whichever records the event id first applies it, the others wait on
        // its row and find it taken, whatever order they reach the database in.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.PostSignedWebhookAsync(payload)));
        await fixture.DrainAsync();

        var receipts = new List<bool>();
        foreach (var response in responses)
        {
            receipts.Add((await response.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("duplicate").GetBoolean());
            response.Dispose();
        }

        receipts.Count(duplicate => !duplicate).Should().Be(1);
        fixture.Events.On(PaymentFailed.Topic).Count(e => e.Text("orderId") == orderId.ToString()).Should().Be(1);
        (await fixture.Database.ScalarAsync<int>("select attempts from payments.payments where order_id = $1", orderId)).Should().Be(1);
    }

    [Fact]
    public async Task A_payment_failed_that_arrives_after_success_changes_nothing_and_publishes_nothing()
    {
        var (orderId, intentId) = await NewPaymentAsync();
        var paidAt = DateTimeOffset.UtcNow;

        using var succeeded = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded"), paidAt));
        // The decline of an earlier attempt, delivered late; and one stamped later, which cannot undo money received either.
        using var earlier = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.payment_failed",
            StripeEvents.Intent(intentId, orderId, "requires_payment_method", lastPaymentError: StripeEvents.Declined()), paidAt.AddSeconds(-20)));
        using var later = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.payment_failed",
            StripeEvents.Intent(intentId, orderId, "requires_payment_method", lastPaymentError: StripeEvents.Declined()), paidAt.AddSeconds(20)));
        using var canceled = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.canceled",
            StripeEvents.Intent(intentId, orderId, "canceled"), paidAt.AddSeconds(30)));
        await fixture.DrainAsync();

        foreach (var response in new[] { succeeded, earlier, later, canceled })
        {
            await response.ShouldBeAsync(HttpStatusCode.OK);
        }

        var payment = await fixture.PaymentOf(orderId).GetAsync();
        payment!.Status.Should().Be(PaymentStatuses.Succeeded);
        payment.FailureCode.Should().BeNull();
        fixture.Events.On(PaymentFailed.Topic).Should().NotContain(e => e.Text("orderId") == orderId.ToString());
        fixture.Events.On(PaymentSucceeded.Topic).Count(e => e.Text("orderId") == orderId.ToString()).Should().Be(1);
    }

    [Fact]
    public async Task A_decline_reported_after_a_newer_state_keeps_that_state_and_is_reported_as_an_earlier_attempt()
    {
        var (orderId, intentId) = await NewPaymentAsync();
        var now = DateTimeOffset.UtcNow;

        // The fan's first card was declined; then they tried a card that asks for 3-D Secure. The decline arrives last.
        using var action = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.requires_action",
            StripeEvents.Intent(intentId, orderId, "requires_action", created: now.AddSeconds(-60)), now));
        using var declined = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.payment_failed",
            StripeEvents.Intent(intentId, orderId, "requires_payment_method", created: now.AddSeconds(-60), lastPaymentError: StripeEvents.Declined()), now.AddSeconds(-30)));
        await fixture.DrainAsync();

        (await fixture.PaymentOf(orderId).GetAsync())!.Status.Should().Be(PaymentStatuses.RequiresAction);
        var failed = fixture.Events.On(PaymentFailed.Topic).Should().ContainSingle(e => e.Text("orderId") == orderId.ToString()).Subject;
        failed.Text("code").Should().Be("generic_decline");
        failed.GetProperty("attempt").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task A_decline_publishes_PaymentFailed_with_the_decline_code()
    {
        var (orderId, intentId) = await NewPaymentAsync();
        var payload = StripeEvents.Event("payment_intent.payment_failed",
            StripeEvents.Intent(intentId, orderId, "requires_payment_method", lastPaymentError: StripeEvents.Declined("insufficient_funds")));

        using var response = await fixture.PostSignedWebhookAsync(payload);

        await response.ShouldBeAsync(HttpStatusCode.OK);
        var failed = await fixture.Events.WaitForAsync(PaymentFailed.Topic, e => e.Text("orderId") == orderId.ToString());
        failed.Text("code").Should().Be("insufficient_funds");
        failed.Text("message").Should().Be("Your card was declined.");
    }

    [Theory]
    [InlineData(1, "usd")]
    [InlineData(5000, "eur")]
    public async Task A_signed_success_for_another_amount_or_currency_is_answered_200_confirms_nothing_and_is_flagged_for_support(long amount, string currency)
    {
        var (orderId, intentId) = await NewPaymentAsync(amount: 5000);
        var payload = StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded", amount: amount, currency: currency));

        using var response = await fixture.PostSignedWebhookAsync(payload);
        using var again = await fixture.PostSignedWebhookAsync(payload);
        await fixture.DrainAsync();

        (await response.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("duplicate").GetBoolean().Should().BeFalse("Stripe must not retry it forever");
        await again.ShouldBeAsync(HttpStatusCode.OK);
        fixture.Events.On(PaymentSucceeded.Topic).Should().NotContain(e => e.Text("orderId") == orderId.ToString());
        (await fixture.PaymentOf(orderId).GetAsync())!.Status.Should().Be(PaymentStatuses.RequiresPaymentMethod);
        (await fixture.Database.ScalarAsync<string>("select review from payments.payments where order_id = $1", orderId)).Should().Be("amount_mismatch");
        (await fixture.Database.ScalarAsync<long>("select reported_amount from payments.payments where order_id = $1", orderId)).Should().Be(amount);
        (await fixture.Database.ScalarAsync<string>("select reported_currency from payments.payments where order_id = $1", orderId)).Should().Be(currency);

        // The gateway's real answer, for the order's amount, still pays the order; the flag stays for support.
        using var real = await fixture.PostSignedWebhookAsync(StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded", amount: 5000)));
        await real.ShouldBeAsync(HttpStatusCode.OK);
        (await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString())).GetProperty("amount").GetInt64().Should().Be(5000);
        (await fixture.Database.ScalarAsync<string>("select review from payments.payments where order_id = $1", orderId)).Should().Be("amount_mismatch");
    }

    [Fact]
    public async Task A_success_that_beats_the_orders_own_request_is_held_back_until_the_order_confirms_its_amount()
    {
        var fan = await fixture.Personas.FanAsync();
        var request = new CreatePayment(Guid.NewGuid(), "TT-EARLY", fan.UserId, Guid.NewGuid(), Guid.NewGuid(), 6100, "usd", DateTimeOffset.UtcNow.AddMinutes(10));
        // The intent exactly as the order's request makes it (same idempotency key, same parameters), paid before that
        // request has recorded anything here: its webhook is the first this module hears of the order.
        var stripe = new Stripe.PaymentIntentService(fixture.SimulatedStripe());
        var intent = await stripe.CreateAsync(new Stripe.PaymentIntentCreateOptions
        {
            Amount = request.Amount, Currency = request.Currency, Metadata = Domain.PaymentMetadata.For(request),
        }, new Stripe.RequestOptions { IdempotencyKey = request.OrderId.ToString() });
        await stripe.ConfirmAsync(intent.Id, new Stripe.PaymentIntentConfirmOptions { PaymentMethod = Simulated.TestCards.SucceedsMethod });
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.payments where order_id = $1 and not amount_from_order", request.OrderId) == 1, "the webhook made the payment's row");
        await fixture.DrainAsync();
        fixture.Events.On(PaymentSucceeded.Topic).Should().NotContain(e => e.Text("orderId") == request.OrderId.ToString(), "nobody knew the order's amount yet");

        var payment = await fixture.PaymentOf(request.OrderId).CreateIntentAsync(request);

        payment.IntentId.Should().Be(intent.Id);
        payment.Status.Should().Be(PaymentStatuses.Succeeded);
        (await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == request.OrderId.ToString())).GetProperty("amount").GetInt64().Should().Be(6100);
        await fixture.DrainAsync();
        fixture.Events.On(PaymentSucceeded.Topic).Count(e => e.Text("orderId") == request.OrderId.ToString()).Should().Be(1);
    }

    [Fact]
    public async Task A_signed_event_in_another_api_version_is_refused_so_that_the_endpoints_version_gets_fixed()
    {
        var (orderId, intentId) = await NewPaymentAsync();
        var payload = StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId, "succeeded"), apiVersion: "2023-08-16");

        using var response = await fixture.PostSignedWebhookAsync(payload);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_event")).Body.GetProperty("detail").GetString()
            .Should().Contain(Stripe.StripeConfiguration.ApiVersion);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.webhook_events where id = $1", StripeEvents.Id(payload))).Should().Be(0);
    }

    /// <summary>The order's payment as the orders module makes it (the simulated gateway's intent, for usd).</summary>
    private async Task<(Guid OrderId, string IntentId)> NewPaymentAsync(long amount = 5000)
    {
        var orderId = Guid.NewGuid();
        var payment = await fixture.CreatePaymentAsync(orderId, Guid.NewGuid(), amount);
        return (orderId, payment.IntentId);
    }

    public enum BadSignature
    {
        Forged,
        WrongSecret,
        Stale,
        FromTheFuture,
        Missing,
        Garbage,
    }

    [Theory]
    [InlineData(BadSignature.Forged)]
    [InlineData(BadSignature.WrongSecret)]
    [InlineData(BadSignature.Stale)]
    [InlineData(BadSignature.FromTheFuture)]
    [InlineData(BadSignature.Missing)]
    [InlineData(BadSignature.Garbage)]
    public async Task An_event_without_a_valid_fresh_signature_is_refused_and_records_nothing(BadSignature signature)
    {
        var orderId = Guid.NewGuid();
        var payload = StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent($"pi_{Guid.NewGuid():N}", orderId, "succeeded"));
        var header = signature switch
        {
            // Signed correctly, but for another body: what an attacker who saw one signature could send.
            BadSignature.Forged => PaymentsFixture.Sign(payload.Replace("\"amount\":5000", "\"amount\":1", StringComparison.Ordinal)),
            BadSignature.WrongSecret => PaymentsFixture.Sign(payload, "whsec_someone_else"),
            BadSignature.Stale => PaymentsFixture.Sign(payload, at: DateTimeOffset.UtcNow.AddMinutes(-6)),
            BadSignature.FromTheFuture => PaymentsFixture.Sign(payload, at: DateTimeOffset.UtcNow.AddMinutes(6)),
            BadSignature.Garbage => "v1=not-a-signature",
            _ => null,
        };

        using var response = await fixture.PostWebhookAsync(payload, header);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.webhook_events where id = $1", StripeEvents.Id(payload))).Should().Be(0);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.payments where order_id = $1", orderId)).Should().Be(0);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_an_event_is_refused()
    {
        const string payload = """{"id":"ch_1","object":"charge"}""";

        using var response = await fixture.PostSignedWebhookAsync(payload);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_event");
    }

    [Fact]
    public async Task An_event_about_an_intent_that_is_no_orders_is_recorded_and_changes_nothing()
    {
        var intentId = $"pi_{Guid.NewGuid():N}";
        var payload = StripeEvents.Event("payment_intent.succeeded", StripeEvents.Intent(intentId, orderId: null, "succeeded"));

        using var response = await fixture.PostSignedWebhookAsync(payload);

        await response.ShouldBeAsync(HttpStatusCode.OK);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.webhook_events where id = $1", StripeEvents.Id(payload))).Should().Be(1);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.payments where intent_id = $1", intentId)).Should().Be(0);
    }
}
