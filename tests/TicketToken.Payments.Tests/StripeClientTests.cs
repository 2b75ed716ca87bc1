using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Tests;

/// <summary>Each call's request as Stripe documents it (path, headers, form), and the parts of the answer we read.</summary>
public sealed class StripeClientTests : IAsyncLifetime
{
    private StripeDouble _stripe = null!;

    public async Task InitializeAsync() => _stripe = await StripeDouble.StartAsync();

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    [Fact]
    public async Task Creating_a_payment_intent_posts_every_option_form_encoded_with_key_version_and_idempotency_key()
    {
        _stripe.Answer(200, """
            {
              "id": "pi_3Double", "object": "payment_intent", "amount": 2500, "currency": "usd",
              "status": "requires_payment_method", "client_secret": "pi_3Double_secret_abc",
              "metadata": { "order_id": "ord_42", "event": "Jazz & Blues night" },
              "last_payment_error": null, "latest_charge": null, "cancellation_reason": null,
              "transfer_group": "order_ord_42", "created": 1700000123, "livemode": false
            }
            """);

        var intent = await _stripe.Client().CreatePaymentIntentAsync(new CreatePaymentIntent
        {
            Amount = 2500,
            Currency = "usd",
            Metadata = new Dictionary<string, string> { ["order_id"] = "ord_42", ["event"] = "Jazz & Blues night" },
            AutomaticPaymentMethods = true,
            TransferGroup = "order_ord_42",
            ApplicationFeeAmount = 250,
            TransferDestination = "acct_1Organizer",
        }, "order-ord_42-payment");

        var request = _stripe.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Target.Should().Be("/v1/payment_intents");
        request.Header("Authorization").Should().Be($"Bearer {StripeDouble.SecretKey}");
        request.Header("Stripe-Version").Should().Be("2023-08-16");
        request.Header("Idempotency-Key").Should().Be("order-ord_42-payment");
        request.Header("Content-Type").Should().Be("application/x-www-form-urlencoded");
        request.Form.Should().Equal(new Dictionary<string, string>
        {
            ["amount"] = "2500",
            ["currency"] = "usd",
            ["metadata[order_id]"] = "ord_42",
            ["metadata[event]"] = "Jazz & Blues night",
            ["automatic_payment_methods[enabled]"] = "true",
            ["transfer_group"] = "order_ord_42",
            ["application_fee_amount"] = "250",
            ["transfer_data[destination]"] = "acct_1Organizer",
        });
        request.Body.Should().Contain("metadata[order_id]=ord_42").And.Contain("metadata[event]=Jazz+%26+Blues+night");

        intent.Should().BeEquivalentTo(new
        {
            Id = "pi_3Double",
            ObjectType = "payment_intent",
            Amount = 2500L,
            Currency = "usd",
            Status = "requires_payment_method",
            ClientSecret = "pi_3Double_secret_abc",
            LatestCharge = (string?)null,
            CancellationReason = (string?)null,
            LastPaymentError = (StripeError?)null,
            TransferGroup = "order_ord_42",
            Created = DateTimeOffset.FromUnixTimeSeconds(1700000123),
            Livemode = false,
        });
        intent.Metadata.Should().Equal(new Dictionary<string, string> { ["order_id"] = "ord_42", ["event"] = "Jazz & Blues night" });
    }

    [Fact]
    public async Task Options_left_unset_are_not_sent_at_all()
    {
        _stripe.Answer(200, """{"id":"pi_min","object":"payment_intent","amount":900,"currency":"eur","status":"requires_payment_method","metadata":{},"created":1700000000,"livemode":false}""");

        var intent = await _stripe.Client().CreatePaymentIntentAsync(new CreatePaymentIntent { Amount = 900, Currency = "eur" }, "k-min");

        _stripe.Requests.Single().Form.Should().Equal(new Dictionary<string, string> { ["amount"] = "900", ["currency"] = "eur" });
        intent.Metadata.Should().BeEmpty();
        intent.Currency.Should().Be("eur");
    }

    [Fact]
    public async Task Retrieving_a_payment_intent_is_a_get_without_body_or_idempotency_key_and_reads_the_last_payment_error()
    {
        _stripe.Answer(200, """
            {
              "id": "pi_declined", "object": "payment_intent", "amount": 4000, "currency": "usd",
              "status": "requires_payment_method", "client_secret": "pi_declined_secret_x", "metadata": {},
              "last_payment_error": {
                "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.", "doc_url": "https://stripe.com/docs/error-codes/card-declined"
              },
              "latest_charge": "ch_3Declined", "created": 1700000200, "livemode": true
            }
            """);

        var intent = await _stripe.Client().GetPaymentIntentAsync("pi_declined");

        var request = _stripe.Requests.Single();
        request.Method.Should().Be("GET");
        request.Target.Should().Be("/v1/payment_intents/pi_declined");
        request.Body.Should().BeEmpty();
        request.Header("Idempotency-Key").Should().BeNull();
        request.Header("Authorization").Should().Be($"Bearer {StripeDouble.SecretKey}");
        request.Header("Stripe-Version").Should().Be("2023-08-16");
        intent.LatestCharge.Should().Be("ch_3Declined");
        intent.Livemode.Should().BeTrue();
        intent.LastPaymentError.Should().BeEquivalentTo(new StripeError
        {
            Type = "card_error",
            Code = "card_declined",
            DeclineCode = "insufficient_funds",
            Message = "Your card has insufficient funds.",
        });
    }

    [Fact]
    public async Task Ids_are_escaped_into_a_single_path_segment()
    {
        _stripe.Answer(200, """{"id":"x","object":"payment_intent","amount":1,"currency":"usd","status":"canceled","metadata":{},"created":1,"livemode":false}""");

        await _stripe.Client().GetPaymentIntentAsync("pi_1/cancel?x");

        _stripe.Requests.Single().Target.Should().Be("/v1/payment_intents/pi_1%2Fcancel%3Fx");
    }

    [Fact]
    public async Task Canceling_a_payment_intent_posts_the_reason_to_its_cancel_path()
    {
        _stripe.Answer(200, """
            {"id":"pi_5","object":"payment_intent","amount":1500,"currency":"usd","status":"canceled",
             "cancellation_reason":"requested_by_customer","metadata":{"order_id":"ord_5"},"created":1700000300,"livemode":false}
            """);

        var intent = await _stripe.Client().CancelPaymentIntentAsync("pi_5", "requested_by_customer", "order-ord_5-cancel");

        var request = _stripe.Requests.Single();
        request.Method.Should().Be("POST");
        request.Target.Should().Be("/v1/payment_intents/pi_5/cancel");
        request.Header("Idempotency-Key").Should().Be("order-ord_5-cancel");
        request.Form.Should().Equal(new Dictionary<string, string> { ["cancellation_reason"] = "requested_by_customer" });
        intent.Status.Should().Be("canceled");
        intent.CancellationReason.Should().Be("requested_by_customer");
    }

    [Fact]
    public async Task Creating_a_refund_posts_the_payment_intent_amount_reason_and_metadata()
    {
        _stripe.Answer(200, """
            {"id":"re_1Double","object":"refund","amount":700,"currency":"usd","status":"pending","payment_intent":"pi_9",
             "charge":"ch_9","reason":"requested_by_customer","metadata":{"refund_id":"rf_3"},"created":1700000400}
            """);

        var refund = await _stripe.Client().CreateRefundAsync(new CreateRefund
        {
            PaymentIntent = "pi_9",
            Amount = 700,
            Reason = "requested_by_customer",
            Metadata = new Dictionary<string, string> { ["refund_id"] = "rf_3" },
        }, "refund-rf_3");

        var request = _stripe.Requests.Single();
        request.Target.Should().Be("/v1/refunds");
        request.Header("Idempotency-Key").Should().Be("refund-rf_3");
        request.Form.Should().Equal(new Dictionary<string, string>
        {
            ["payment_intent"] = "pi_9",
            ["amount"] = "700",
            ["reason"] = "requested_by_customer",
            ["metadata[refund_id]"] = "rf_3",
        });
        refund.Should().BeEquivalentTo(new
        {
            Id = "re_1Double",
            ObjectType = "refund",
            Amount = 700L,
            Status = "pending",
            PaymentIntent = "pi_9",
            Reason = "requested_by_customer",
            Created = DateTimeOffset.FromUnixTimeSeconds(1700000400),
        });
    }

    [Fact]
    public async Task Retrieving_a_refund_reads_its_status()
    {
        _stripe.Answer(200, """{"id":"re_2","object":"refund","amount":300,"currency":"gbp","status":"succeeded","payment_intent":"pi_2","reason":null,"metadata":{},"created":1700000500}""");

        var refund = await _stripe.Client().GetRefundAsync("re_2");

        _stripe.Requests.Single().Should().Match<RecordedRequest>(r => r.Method == "GET" && r.Target == "/v1/refunds/re_2");
        refund.Status.Should().Be("succeeded");
        refund.Currency.Should().Be("gbp");
        refund.Reason.Should().BeNull();
    }

    [Fact]
    public async Task Creating_an_express_account_requests_card_payments_and_transfers()
    {
        _stripe.Answer(200, """
            {"id":"acct_1Double","object":"account","type":"express","charges_enabled":false,"payouts_enabled":false,
             "details_submitted":false,"metadata":{"organizer_id":"org_12"}}
            """);

        var account = await _stripe.Client().CreateExpressAccountAsync(new CreateExpressAccount
        {
            Country = "US",
            Email = "box office@example.com",
            Metadata = new Dictionary<string, string> { ["organizer_id"] = "org_12" },
        }, "organizer-org_12-account");

        var request = _stripe.Requests.Single();
        request.Target.Should().Be("/v1/accounts");
        request.Header("Idempotency-Key").Should().Be("organizer-org_12-account");
        request.Form.Should().Equal(new Dictionary<string, string>
        {
            ["type"] = "express",
            ["country"] = "US",
            ["email"] = "box office@example.com",
            ["capabilities[card_payments][requested]"] = "true",
            ["capabilities[transfers][requested]"] = "true",
            ["metadata[organizer_id]"] = "org_12",
        });
        account.Id.Should().Be("acct_1Double");
        account.ChargesEnabled.Should().BeFalse();
        account.Metadata.Should().ContainKey("organizer_id").WhoseValue.Should().Be("org_12");
    }

    [Fact]
    public async Task Retrieving_an_account_reads_what_onboarding_has_enabled()
    {
        _stripe.Answer(200, """{"id":"acct_ready","object":"account","charges_enabled":true,"payouts_enabled":false,"details_submitted":true,"metadata":{}}""");

        var account = await _stripe.Client().GetAccountAsync("acct_ready");

        _stripe.Requests.Single().Should().Match<RecordedRequest>(r => r.Method == "GET" && r.Target == "/v1/accounts/acct_ready");
        account.Should().BeEquivalentTo(new { Id = "acct_ready", ChargesEnabled = true, PayoutsEnabled = false, DetailsSubmitted = true });
    }

    [Fact]
    public async Task Creating_an_account_link_asks_for_onboarding_with_both_urls()
    {
        _stripe.Answer(200, """{"object":"account_link","url":"https://connect.stripe.com/setup/e/acct_1Double/abc","created":1700000600,"expires_at":1700000900}""");

        var link = await _stripe.Client().CreateAccountLinkAsync(
            "acct_1Double",
            new Uri("https://tickettoken.example/organizers/onboarding/refresh"),
            new Uri("https://tickettoken.example/organizers/onboarding/done?org=org_12"),
            "organizer-org_12-link-1");

        var request = _stripe.Requests.Single();
        request.Target.Should().Be("/v1/account_links");
        request.Form.Should().Equal(new Dictionary<string, string>
        {
            ["account"] = "acct_1Double",
            ["refresh_url"] = "https://tickettoken.example/organizers/onboarding/refresh",
            ["return_url"] = "https://tickettoken.example/organizers/onboarding/done?org=org_12",
            ["type"] = "account_onboarding",
        });
        link.Url.Should().Be(new Uri("https://connect.stripe.com/setup/e/acct_1Double/abc"));
        link.ExpiresAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1700000900));
    }

    [Fact]
    public async Task Creating_a_transfer_posts_destination_group_source_and_metadata()
    {
        _stripe.Answer(200, """
            {"id":"tr_1Double","object":"transfer","amount":9000,"currency":"usd","destination":"acct_1Organizer",
             "transfer_group":"order_ord_42","source_transaction":"ch_42","metadata":{"payout_id":"po_8"},"created":1700000700}
            """);

        var transfer = await _stripe.Client().CreateTransferAsync(new CreateTransfer
        {
            Amount = 9000,
            Currency = "usd",
            Destination = "acct_1Organizer",
            TransferGroup = "order_ord_42",
            SourceTransaction = "ch_42",
            Metadata = new Dictionary<string, string> { ["payout_id"] = "po_8" },
        }, "payout-po_8");

        var request = _stripe.Requests.Single();
        request.Target.Should().Be("/v1/transfers");
        request.Header("Idempotency-Key").Should().Be("payout-po_8");
        request.Form.Should().Equal(new Dictionary<string, string>
        {
            ["amount"] = "9000",
            ["currency"] = "usd",
            ["destination"] = "acct_1Organizer",
            ["transfer_group"] = "order_ord_42",
            ["source_transaction"] = "ch_42",
            ["metadata[payout_id]"] = "po_8",
        });
        transfer.Should().BeEquivalentTo(new { Id = "tr_1Double", Amount = 9000L, Destination = "acct_1Organizer", TransferGroup = "order_ord_42" });
    }

    [Fact]
    public async Task A_write_without_a_caller_key_still_sends_one()
    {
        _stripe.Answer(200, """{"id":"re_3","object":"refund","amount":100,"currency":"usd","status":"succeeded","metadata":{},"created":1}""");

        await _stripe.Client().CreateRefundAsync(new CreateRefund { PaymentIntent = "pi_3" }, idempotencyKey: null);

        Guid.TryParse(_stripe.Requests.Single().Header("Idempotency-Key"), out _).Should().BeTrue();
    }

    [Fact]
    public void The_options_never_print_the_secret_key()
    {
        var options = new StripeOptions { SecretKey = "sk_test_do_not_print_me" };

        options.ToString().Should().NotContain("do_not_print_me").And.Contain("ApiVersion = 2023-08-16");
    }
}
