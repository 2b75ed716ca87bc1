using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Simulated;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Payments.Tests;

/// <summary>
/// The simulated gateway over HTTP, as a fan's browser and the orders module use it: the test cards decide, and every
/// outcome comes back as a signed webhook through our own endpoint, which publishes the order's event.
/// </summary>
public sealed class SimulatedGatewayTests(PaymentsFixture fixture) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task An_intent_is_made_once_per_order_with_a_client_secret_the_fan_confirms_with()
    {
        var fan = await fixture.Personas.FanAsync();
        var orderId = Guid.NewGuid();

        var first = await fixture.CreatePaymentAsync(orderId, fan.UserId, amount: 4200, currency: "EUR");
        var again = await fixture.CreatePaymentAsync(orderId, fan.UserId, amount: 4200, currency: "EUR");

        first.Gateway.Should().Be("simulated");
        first.IntentId.Should().StartWith("pi_sim_");
        first.ClientSecret.Should().StartWith($"{first.IntentId}_secret_");
        first.Status.Should().Be(PaymentStatuses.RequiresPaymentMethod);
        first.Amount.Should().Be(4200);
        first.Currency.Should().Be("eur");
        again.Should().Be(first);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.simulated_objects where object = 'payment_intent' and body #>> '{metadata,order_id}' = $1",
            orderId.ToString())).Should().Be(1);
        (await fixture.Database.ScalarAsync<string>("select fingerprint from payments.simulated_requests where idempotency_key = $1", orderId.ToString()))
            .Should().StartWith("POST /api/payments/simulated/stripe/v1/payment_intents?", "Stripe.net sent the intent with the order id as its Idempotency-Key")
            .And.Contain("amount=4200").And.Contain("currency=eur").And.Contain($"metadata%5Border_id%5D={orderId}");
    }

    [Fact]
    public async Task The_success_card_pays_and_its_signed_webhook_publishes_PaymentSucceeded()
    {
        var (fan, orderId, payment) = await NewPaymentAsync();

        using var response = await ConfirmAsync(fan, payment, TestCards.Succeeds);

        (await response.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be(PaymentStatuses.Succeeded);
        var succeeded = await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        succeeded.Text("intentId").Should().Be(payment.IntentId);
        succeeded.GetProperty("amount").GetInt64().Should().Be(payment.Amount);
        (await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.webhook_events where type = 'payment_intent.succeeded' and payload #>> '{data,object,id}' = $1", payment.IntentId))
            .Should().Be(1, "the outcome came in through the signed webhook endpoint");
        (await fixture.PaymentOf(orderId).GetAsync())!.Status.Should().Be(PaymentStatuses.Succeeded);
    }

    [Theory]
    [InlineData(TestCards.Declined, "card_declined", "generic_decline")]
    [InlineData(TestCards.InsufficientFunds, "card_declined", "insufficient_funds")]
    [InlineData("4000 0000 0000 1234", "incorrect_number", null)]
    public async Task A_declining_card_answers_402_and_its_webhook_publishes_PaymentFailed(string card, string code, string? declineCode)
    {
        var (fan, orderId, payment) = await NewPaymentAsync();

        using var response = await ConfirmAsync(fan, payment, card);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, code);
        problem.Body.GetProperty("declineCode").ValueKind.Should().Be(declineCode is null ? JsonValueKind.Null : JsonValueKind.String);
        var failed = await fixture.Events.WaitForAsync(PaymentFailed.Topic, e => e.Text("orderId") == orderId.ToString());
        failed.Text("code").Should().Be(declineCode ?? code);
        failed.Text("intentId").Should().Be(payment.IntentId);
        var view = await fixture.PaymentOf(orderId).GetAsync();
        view!.Status.Should().Be(PaymentStatuses.RequiresPaymentMethod);
        view.FailureCode.Should().Be(declineCode ?? code);
    }

    [Fact]
    public async Task A_declined_card_leaves_the_intent_payable_and_another_card_pays_it_each_attempt_reported_once()
    {
        var (fan, orderId, payment) = await NewPaymentAsync();

        using var declined = await ConfirmAsync(fan, payment, TestCards.InsufficientFunds);
        await declined.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, "card_declined");
        var failed = await fixture.Events.WaitForAsync(PaymentFailed.Topic, e => e.Text("orderId") == orderId.ToString());
        (await fixture.PaymentOf(orderId).GetAsync())!.Status.Should().Be(PaymentStatuses.RequiresPaymentMethod, "as at Stripe, a decline asks for another payment method");
        using var paid = await ConfirmAsync(fan, payment, TestCards.Succeeds);

        (await paid.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be(PaymentStatuses.Succeeded);
        var succeeded = await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        await fixture.DrainAsync();
        failed.GetProperty("attempt").GetInt32().Should().Be(1);
        failed.Text("code").Should().Be("insufficient_funds");
        succeeded.GetProperty("attempt").GetInt32().Should().Be(2);
        fixture.Events.On(PaymentFailed.Topic).Count(e => e.Text("orderId") == orderId.ToString()).Should().Be(1);
        fixture.Events.On(PaymentSucceeded.Topic).Count(e => e.Text("orderId") == orderId.ToString()).Should().Be(1);
        (await fixture.Database.ScalarAsync<int>("select attempts from payments.payments where order_id = $1", orderId)).Should().Be(2);
    }

    [Theory]
    [InlineData("approve", true)]
    [InlineData("fail", false)]
    public async Task The_3D_Secure_card_waits_for_the_challenge_and_its_outcome_arrives_by_webhook(string outcome, bool pays)
    {
        var (fan, orderId, payment) = await NewPaymentAsync();

        using var confirmed = await ConfirmAsync(fan, payment, TestCards.RequiresAuthentication);
        var challenge = await confirmed.ShouldBeAsync(HttpStatusCode.OK);
        challenge.Text("status").Should().Be(PaymentStatuses.RequiresAction);
        challenge.Text("authenticationUrl").Should().Be($"/api/payments/simulated/payment-intents/{payment.IntentId}/authenticate");
        using var request = fan.Request(HttpMethod.Post, challenge.Text("authenticationUrl"),
            new { clientSecret = payment.ClientSecret, outcome });
        using var authenticated = await fixture.Client.SendAsync(request);

        if (pays)
        {
            (await authenticated.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be(PaymentStatuses.Succeeded);
            await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        }
        else
        {
            await authenticated.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, "payment_intent_authentication_failure");
            var failed = await fixture.Events.WaitForAsync(PaymentFailed.Topic, e => e.Text("orderId") == orderId.ToString());
            failed.Text("code").Should().Be("payment_intent_authentication_failure");

            // Abandoning the challenge is one failed attempt, not the end: another card still pays.
            using var retried = await ConfirmAsync(fan, payment, TestCards.Succeeds);
            (await retried.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be(PaymentStatuses.Succeeded);
            await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        }
    }

    [Fact]
    public async Task Only_the_buyer_with_the_client_secret_can_confirm()
    {
        var (fan, _, payment) = await NewPaymentAsync();
        var stranger = await fixture.Personas.FanAsync();

        using var wrongSecret = await ConfirmAsync(fan, payment with { ClientSecret = $"{payment.IntentId}_secret_guessed" }, TestCards.Succeeds);
        using var wrongFan = await ConfirmAsync(stranger, payment, TestCards.Succeeds);
        using var noSuchIntent = await ConfirmAsync(fan, payment with { IntentId = "pi_sim_unknown" }, TestCards.Succeeds);

        await wrongSecret.ShouldBeProblemAsync(HttpStatusCode.NotFound, "payment_intent_not_found");
        await wrongFan.ShouldBeProblemAsync(HttpStatusCode.NotFound, "payment_intent_not_found");
        await noSuchIntent.ShouldBeProblemAsync(HttpStatusCode.NotFound, "payment_intent_not_found");
        (await fixture.PaymentOf(payment.OrderId).GetAsync())!.Status.Should().Be(PaymentStatuses.RequiresPaymentMethod);
    }

    [Fact]
    public async Task A_payment_canceled_before_the_fan_pays_cannot_be_paid()
    {
        var (fan, orderId, payment) = await NewPaymentAsync();

        var canceled = await fixture.PaymentOf(orderId).CancelIntentAsync(new CancelPayment(orderId, "hold_expired"));
        var again = await fixture.PaymentOf(orderId).CancelIntentAsync(new CancelPayment(orderId, "hold_expired"));
        using var late = await ConfirmAsync(fan, payment, TestCards.Succeeds);

        canceled.Status.Should().Be(PaymentStatuses.Canceled);
        again.Status.Should().Be(PaymentStatuses.Canceled);
        await late.ShouldBeProblemAsync(HttpStatusCode.Conflict, "payment_intent_unexpected_state");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.webhook_events where type = 'payment_intent.canceled' and payload #>> '{data,object,id}' = $1", payment.IntentId) == 1,
            "the payment_intent.canceled webhook");
        await fixture.DrainAsync();
        fixture.Events.On(PaymentSucceeded.Topic).Should().NotContain(e => e.Text("orderId") == orderId.ToString());
    }

    [Fact]
    public async Task Canceling_after_the_fan_paid_answers_succeeded_and_the_success_is_still_published()
    {
        var (fan, orderId, payment) = await NewPaymentAsync();
        using var paid = await ConfirmAsync(fan, payment, TestCards.Succeeds);
        await paid.ShouldBeAsync(HttpStatusCode.OK);

        // Whether or not the webhook was taken in yet, the money came first: the caller must refund, not forget.
        var canceled = await fixture.PaymentOf(orderId).CancelIntentAsync(new CancelPayment(orderId, "hold_expired"));

        canceled.Status.Should().Be(PaymentStatuses.Succeeded);
        await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        (await fixture.PaymentOf(orderId).GetAsync())!.Status.Should().Be(PaymentStatuses.Succeeded);
    }

    [Fact]
    public async Task Canceling_an_order_that_never_got_an_intent_answers_canceled()
    {
        var orderId = Guid.NewGuid();

        var canceled = await fixture.PaymentOf(orderId).CancelIntentAsync(new CancelPayment(orderId, "workflow_failed"));

        canceled.Status.Should().Be(PaymentStatuses.Canceled);
        (await fixture.PaymentOf(orderId).GetAsync()).Should().BeNull();
    }

    [Fact]
    public async Task A_refund_is_made_once_per_refund_id_and_never_beyond_what_was_paid()
    {
        var (fan, orderId, payment) = await NewPaymentAsync(amount: 5000);
        using var paid = await ConfirmAsync(fan, payment, TestCards.Succeeds);
        await fixture.Events.WaitForAsync(PaymentSucceeded.Topic, e => e.Text("orderId") == orderId.ToString());
        var actor = fixture.PaymentOf(orderId);
        var refundId = Guid.NewGuid();

        var first = await actor.RefundAsync(new RefundPayment(orderId, refundId, 2000, "requested_by_customer"));
        var retried = await actor.RefundAsync(new RefundPayment(orderId, refundId, 2000, "requested_by_customer"));
        var rest = await actor.RefundAsync(new RefundPayment(orderId, Guid.NewGuid(), 3000, "event_cancelled"));
        var beyond = await actor.RefundAsync(new RefundPayment(orderId, Guid.NewGuid(), 1, "requested_by_customer"));

        first.Status.Should().Be(RefundState.Succeeded);
        first.GatewayRefundId.Should().StartWith("re_sim_");
        retried.Should().Be(first);
        rest.Status.Should().Be(RefundState.Succeeded);
        beyond.Status.Should().Be(RefundState.Failed);
        beyond.FailureMessage.Should().Contain("0 of 5000 is left");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.simulated_objects where object = 'refund' and parent_id = $1", payment.IntentId))
            .Should().Be(2);
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.refunds where order_id = $1 and status = 'succeeded'", orderId))
            .Should().Be(5000);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.webhook_events where type = 'refund.created' and payload #>> '{data,object,payment_intent}' = $1", payment.IntentId) == 2,
            "a refund.created webhook per refund");
    }

    [Fact]
    public async Task A_payment_that_has_not_succeeded_is_not_refunded()
    {
        var (_, orderId, _) = await NewPaymentAsync();

        var refund = await fixture.PaymentOf(orderId).RefundAsync(new RefundPayment(orderId, Guid.NewGuid(), 100, "requested_by_customer"));

        refund.Status.Should().Be(RefundState.Failed);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where order_id = $1", orderId)).Should().Be(0);
    }

    private async Task<(Person Fan, Guid OrderId, PaymentView Payment)> NewPaymentAsync(long amount = 5000)
    {
        var fan = await fixture.Personas.FanAsync();
        var orderId = Guid.NewGuid();
        return (fan, orderId, await fixture.CreatePaymentAsync(orderId, fan.UserId, amount));
    }

    private async Task<HttpResponseMessage> ConfirmAsync(Person fan, PaymentView payment, string card)
    {
        using var request = fan.Request(HttpMethod.Post, $"/api/payments/simulated/payment-intents/{payment.IntentId}/confirm",
            new { clientSecret = payment.ClientSecret, cardNumber = card });
        return await fixture.Client.SendAsync(request);
    }
}
