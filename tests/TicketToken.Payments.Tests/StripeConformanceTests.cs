using System.Net;
using Stripe;
using TicketToken.Payments.Simulated;
using TicketToken.Testing;
using Xunit.Abstractions;

namespace TicketToken.Payments.Tests;

/// <summary>
/// What the payments module relies on Stripe for, asked through Stripe.net exactly as the module asks: Stripe's test
/// cards, declines that leave the intent payable, idempotency replay and mismatch, errors, cancel and refund. The same
/// tests run against the simulated gateway (always) and against Stripe's test mode (with STRIPE_SECRET_KEY), so the
/// double has to answer what Stripe answers, as Stripe.net reads it.
/// </summary>
public abstract class StripeConformance(ITestOutputHelper output)
{
    protected abstract IStripeClient Stripe { get; }

    private PaymentIntentService Intents => new(Stripe);

    [StripeFact]
    public async Task The_success_card_pays_the_intent()
    {
        var intent = await NewIntentAsync(2500);

        var paid = await Intents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = TestCards.SucceedsMethod }, Key("confirm"));

        paid.Status.Should().Be("succeeded");
        paid.AmountReceived.Should().Be(2500);
        paid.LatestChargeId.Should().StartWith("ch_");
        paid.LastPaymentError.Should().BeNull();
    }

    [StripeFact]
    public async Task The_declined_card_is_a_402_card_declined_and_leaves_the_intent_payable_by_another_card()
    {
        var intent = await NewIntentAsync(3100);

        var declined = await ConfirmFailsAsync(intent.Id, TestCards.DeclinedMethod);
        var after = await Intents.GetAsync(intent.Id);
        var paid = await Intents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = TestCards.SucceedsMethod }, Key("retry"));

        declined.HttpStatusCode.Should().Be(HttpStatusCode.PaymentRequired);
        declined.StripeError.Type.Should().Be("card_error");
        declined.StripeError.Code.Should().Be("card_declined");
        declined.StripeError.DeclineCode.Should().Be("generic_decline");
        declined.StripeError.PaymentIntent.Status.Should().Be("requires_payment_method");
        after.Status.Should().Be("requires_payment_method");
        after.LastPaymentError.DeclineCode.Should().Be("generic_decline");
        paid.Status.Should().Be("succeeded");
    }

    [StripeFact]
    public async Task The_insufficient_funds_card_is_declined_with_its_decline_code()
    {
        var intent = await NewIntentAsync(4100);

        var declined = await ConfirmFailsAsync(intent.Id, TestCards.InsufficientFundsMethod);

        declined.HttpStatusCode.Should().Be(HttpStatusCode.PaymentRequired);
        declined.StripeError.Code.Should().Be("card_declined");
        declined.StripeError.DeclineCode.Should().Be("insufficient_funds");
        (await Intents.GetAsync(intent.Id)).Status.Should().Be("requires_payment_method");
    }

    [StripeFact]
    public async Task The_authentication_card_asks_for_an_action_before_it_pays()
    {
        var intent = await NewIntentAsync(5100);

        var waiting = await Intents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = TestCards.RequiresAuthenticationMethod }, Key("confirm"));

        waiting.Status.Should().Be("requires_action");
        waiting.NextAction.Should().NotBeNull();
        await AfterAuthenticationRequestedAsync(waiting);
    }

    [StripeFact]
    public async Task The_same_idempotency_key_with_the_same_parameters_answers_the_first_intent_again()
    {
        var key = Key("create");
        var options = NewIntentOptions(1700);

        var first = await Intents.CreateAsync(options, key);
        var again = await Intents.CreateAsync(NewIntentOptions(1700), key);

        again.Id.Should().Be(first.Id);
        again.ClientSecret.Should().Be(first.ClientSecret);
        again.StripeResponse.Headers.TryGetValues("Idempotent-Replayed", out var replayed).Should().BeTrue();
        replayed.Should().Equal("true");
        first.StripeResponse.Headers.Contains("Idempotent-Replayed").Should().BeFalse();
    }

    [StripeFact]
    public async Task The_same_idempotency_key_with_other_parameters_is_a_400_idempotency_error()
    {
        var key = Key("create");
        await Intents.CreateAsync(NewIntentOptions(1800), key);

        var reuse = () => Intents.CreateAsync(NewIntentOptions(1801), key);

        var error = (await reuse.Should().ThrowAsync<StripeException>()).Which;
        error.HttpStatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.StripeError.Type.Should().Be("idempotency_error");
    }

    [StripeFact]
    public async Task A_missing_intent_is_a_404_resource_missing()
    {
        var read = () => Intents.GetAsync("pi_does_not_exist_tickettoken");

        var error = (await read.Should().ThrowAsync<StripeException>()).Which;
        error.HttpStatusCode.Should().Be(HttpStatusCode.NotFound);
        error.StripeError.Type.Should().Be("invalid_request_error");
        error.StripeError.Code.Should().Be("resource_missing");
        error.StripeResponse.RequestId.Should().StartWith("req_");
    }

    [StripeFact]
    public async Task An_unpaid_intent_is_canceled_once_and_canceling_it_again_is_an_unexpected_state()
    {
        var intent = await NewIntentAsync(1900);

        var canceled = await Intents.CancelAsync(intent.Id, new PaymentIntentCancelOptions { CancellationReason = "abandoned" }, Key("cancel"));
        var again = () => Intents.CancelAsync(intent.Id, new PaymentIntentCancelOptions { CancellationReason = "abandoned" }, Key("cancel-again"));

        canceled.Status.Should().Be("canceled");
        canceled.CancellationReason.Should().Be("abandoned");
        var error = (await again.Should().ThrowAsync<StripeException>()).Which;
        error.HttpStatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.StripeError.Code.Should().Be("payment_intent_unexpected_state");
    }

    [StripeFact]
    public async Task A_paid_intent_is_refunded_in_part_and_never_beyond_what_was_paid()
    {
        var intent = await NewIntentAsync(2000);
        await Intents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = TestCards.SucceedsMethod }, Key("confirm"));
        var refunds = new RefundService(Stripe);

        var part = await refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 500, Reason = "requested_by_customer" }, Key("refund"));
        var beyond = () => refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 1501 }, Key("refund-beyond"));

        part.Amount.Should().Be(500);
        part.PaymentIntentId.Should().Be(intent.Id);
        part.Status.Should().BeOneOf("pending", "succeeded");
        var error = (await beyond.Should().ThrowAsync<StripeException>()).Which;
        error.HttpStatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.StripeError.Type.Should().Be("invalid_request_error");
    }

    /// <summary>Where the double can go further than Stripe's API (completing 3-D Secure); Stripe's test mode stops here.</summary>
    protected virtual Task AfterAuthenticationRequestedAsync(PaymentIntent waiting) => Task.CompletedTask;

    protected async Task<PaymentIntent> NewIntentAsync(long amount)
    {
        var intent = await Intents.CreateAsync(NewIntentOptions(amount), Key("create"));
        output.WriteLine($"intent {intent.Id} of {amount}");
        intent.Status.Should().Be("requires_payment_method");
        intent.ClientSecret.Should().StartWith(intent.Id + "_secret_");
        intent.Livemode.Should().BeFalse();
        return intent;
    }

    // Cards only, and no redirects: server-side confirmation then needs no return_url at Stripe.
    private static PaymentIntentCreateOptions NewIntentOptions(long amount) => new()
    {
        Amount = amount,
        Currency = "usd",
        AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
        Metadata = new Dictionary<string, string> { ["suite"] = "TicketToken.Payments.Tests" },
    };

    private async Task<StripeException> ConfirmFailsAsync(string intentId, string paymentMethod)
    {
        var confirm = () => Intents.ConfirmAsync(intentId, new PaymentIntentConfirmOptions { PaymentMethod = paymentMethod }, Key("confirm"));
        return (await confirm.Should().ThrowAsync<StripeException>()).Which;
    }

    protected static RequestOptions Key(string step) => new() { IdempotencyKey = $"tickettoken-tests-{step}-{Guid.NewGuid():N}" };
}

/// <summary>The conformance tests against the simulated gateway, through the host's own Stripe-compatible routes.</summary>
public sealed class SimulatedStripeConformanceTests(PaymentsFixture fixture, ITestOutputHelper output) : StripeConformance(output), IClassFixture<PaymentsFixture>
{
    protected override IStripeClient Stripe => fixture.SimulatedStripe();

    /// <summary>The redirect leads to the gateway's 3-D Secure page, where approving pays the intent.</summary>
    protected override async Task AfterAuthenticationRequestedAsync(PaymentIntent waiting)
    {
        waiting.NextAction.Type.Should().Be("redirect_to_url");
        var page = waiting.NextAction.RedirectToUrl.Url;
        page.Should().Be($"/api/payments/simulated/payment-intents/{waiting.Id}/authenticate");
        var fan = await fixture.Personas.FanAsync();

        using var request = fan.Request(HttpMethod.Post, page, new { clientSecret = waiting.ClientSecret, outcome = "approve" });
        using var approved = await fixture.Client.SendAsync(request);

        (await approved.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("succeeded");
        (await new PaymentIntentService(Stripe).GetAsync(waiting.Id)).Status.Should().Be("succeeded");
    }

    [Fact]
    public async Task Requests_without_the_secret_key_or_in_another_api_version_are_refused_as_Stripe_would()
    {
        var wrongKey = () => new PaymentIntentService(fixture.SimulatedStripe("sk_test_someone_else")).GetAsync("pi_sim_any");
        // Stripe.net cannot be told another version (it pins its own), so this one is sent as a client pinned to 2023-08-16 would.
        using var otherVersion = new HttpRequestMessage(HttpMethod.Get, "/api/payments/simulated/stripe/v1/payment_intents/pi_sim_any");
        otherVersion.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", PaymentsOptions.DevelopmentSecretKey);
        otherVersion.Headers.Add("Stripe-Version", "2023-08-16");

        (await wrongKey.Should().ThrowAsync<StripeException>()).Which.HttpStatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var refused = await fixture.Client.SendAsync(otherVersion);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain(StripeConfiguration.ApiVersion).And.Contain("invalid_request_error");
    }

    [Fact]
    public async Task A_request_refused_for_its_parameters_is_not_saved_so_its_key_can_be_used_again()
    {
        var key = Key("create");
        var bad = () => new PaymentIntentService(Stripe).CreateAsync(new PaymentIntentCreateOptions { Amount = 0, Currency = "usd" }, key);

        (await bad.Should().ThrowAsync<StripeException>()).Which.StripeError.Param.Should().Be("amount");
        var good = await new PaymentIntentService(Stripe).CreateAsync(new PaymentIntentCreateOptions { Amount = 700, Currency = "usd" }, key);

        good.Status.Should().Be("requires_payment_method");
    }
}

/// <summary>The conformance tests against Stripe itself in test mode. No money moves; skipped, saying why, without a test key.</summary>
[RequiresStripeTestMode]
public sealed class StripeTestModeConformanceTests(ITestOutputHelper output) : StripeConformance(output)
{
    protected override IStripeClient Stripe { get; } = new StripeClient(StripeTestModeFactAttribute.SecretKey ?? "sk_test_unset");
}
