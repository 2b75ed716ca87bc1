using System.Net;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Tests;

/// <summary>Stripe's error answers become a <see cref="StripeException"/> a caller can act on; transient ones are retried with the same key.</summary>
public sealed class StripeFailureTests : IAsyncLifetime
{
    private const string Intent = """
        {"id":"pi_ok","object":"payment_intent","amount":2500,"currency":"usd","status":"requires_payment_method",
         "client_secret":"pi_ok_secret","metadata":{},"created":1700000000,"livemode":false}
        """;

    private static readonly CreatePaymentIntent Payment = new() { Amount = 2500, Currency = "usd" };

    private StripeDouble _stripe = null!;

    public async Task InitializeAsync() => _stripe = await StripeDouble.StartAsync();

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    [Fact]
    public async Task A_declined_card_is_a_card_declined_error_with_its_decline_code_and_is_not_retried()
    {
        _stripe.Answer(402, """
            {"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds",
             "message":"Your card has insufficient funds.","payment_intent":{"id":"pi_x","object":"payment_intent"}}}
            """);

        var call = () => _stripe.Client().CreatePaymentIntentAsync(Payment, "k-declined");

        var error = (await call.Should().ThrowAsync<StripeException>()).Which;
        error.Kind.Should().Be(StripeErrorKind.CardDeclined);
        error.Status.Should().Be(HttpStatusCode.PaymentRequired);
        error.Type.Should().Be("card_error");
        error.Code.Should().Be("card_declined");
        error.DeclineCode.Should().Be("insufficient_funds");
        error.Error.Message.Should().Be("Your card has insufficient funds.");
        error.RequestId.Should().Be("req_double_1");
        error.IsRetryable.Should().BeFalse();
        error.Message.Should().Contain("402").And.Contain("insufficient_funds").And.Contain("req_double_1");
        _stripe.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task An_invalid_request_names_the_parameter_and_a_400_is_not_retried()
    {
        _stripe.Answer(400, """
            {"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","param":"amount",
             "message":"Invalid integer: abc","doc_url":"https://stripe.com/docs/error-codes/parameter-invalid-integer"}}
            """);

        var call = () => _stripe.Client().CreatePaymentIntentAsync(Payment, "k-invalid");

        var error = (await call.Should().ThrowAsync<StripeException>()).Which;
        error.Kind.Should().Be(StripeErrorKind.InvalidRequest);
        error.Status.Should().Be(HttpStatusCode.BadRequest);
        error.Type.Should().Be("invalid_request_error");
        error.Param.Should().Be("amount");
        error.Code.Should().Be("parameter_invalid_integer");
        _stripe.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Reusing_a_key_with_other_parameters_is_our_bug_not_something_to_retry()
    {
        _stripe.Answer(400, """{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}""");

        var call = () => _stripe.Client().CreatePaymentIntentAsync(Payment, "k-reused");

        (await call.Should().ThrowAsync<StripeException>()).Which.Should().Match<StripeException>(e =>
            e.Kind == StripeErrorKind.InvalidRequest && e.Type == "idempotency_error");
        _stripe.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_rejected_key_is_an_authentication_error_and_is_not_retried()
    {
        _stripe.Answer(401, """{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}}""");

        var call = () => _stripe.Client().GetPaymentIntentAsync("pi_1");

        (await call.Should().ThrowAsync<StripeException>()).Which.Kind.Should().Be(StripeErrorKind.Authentication);
        _stripe.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_rate_limited_write_is_retried_with_the_same_idempotency_key_and_body()
    {
        _stripe.Answer(429, """{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}""");
        _stripe.Answer(200, Intent);

        var intent = await _stripe.Client().CreatePaymentIntentAsync(Payment, "order-1-payment");

        intent.Id.Should().Be("pi_ok");
        _stripe.Requests.Should().HaveCount(2);
        _stripe.Requests.Select(r => r.Header("Idempotency-Key")).Should().AllBe("order-1-payment");
        _stripe.Requests[1].Body.Should().Be(_stripe.Requests[0].Body);
    }

    [Fact]
    public async Task A_server_error_is_retried_with_the_same_key()
    {
        _stripe.Answer(500, """{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}""");
        _stripe.Answer(200, Intent);

        var intent = await _stripe.Client().CreatePaymentIntentAsync(Payment, "order-2-payment");

        intent.Status.Should().Be("requires_payment_method");
        _stripe.Requests.Select(r => r.Header("Idempotency-Key")).Should().Equal("order-2-payment", "order-2-payment");
    }

    [Fact]
    public async Task A_conflict_from_the_same_key_in_flight_is_retried()
    {
        _stripe.Answer(409, """{"error":{"type":"invalid_request_error","code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Idempotent Key."}}""");
        _stripe.Answer(200, Intent);

        await _stripe.Client().CreatePaymentIntentAsync(Payment, "order-3-payment");

        _stripe.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_and_a_generated_key_stays_the_same_across_attempts()
    {
        _stripe.DropConnection();
        _stripe.Answer(200, Intent);

        await _stripe.Client().CreatePaymentIntentAsync(Payment, idempotencyKey: null);

        var keys = _stripe.Requests.Select(r => r.Header("Idempotency-Key")).ToList();
        keys.Should().HaveCount(2).And.OnlyContain(k => k == keys[0]);
        keys[0].Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Reads_are_retried_too()
    {
        _stripe.Answer(503, """{"error":{"type":"api_error","message":"unavailable"}}""");
        _stripe.Answer(200, Intent);

        var intent = await _stripe.Client().GetPaymentIntentAsync("pi_ok");

        intent.Id.Should().Be("pi_ok");
        _stripe.Requests.Should().HaveCount(2).And.OnlyContain(r => r.Method == "GET" && r.Target == "/v1/payment_intents/pi_ok");
    }

    [Fact]
    public async Task Retries_stop_after_max_network_retries_and_the_last_failure_says_retry_later()
    {
        for (var i = 0; i < 4; i++)
        {
            _stripe.Answer(500, """{"error":{"type":"api_error","message":"still down"}}""");
        }

        var call = () => _stripe.Client(maxNetworkRetries: 2).CreatePaymentIntentAsync(Payment, "order-4-payment");

        var error = (await call.Should().ThrowAsync<StripeException>()).Which;
        error.Kind.Should().Be(StripeErrorKind.RetryLater);
        error.IsRetryable.Should().BeTrue();
        error.Type.Should().Be("api_error");
        error.RequestId.Should().Be("req_double_3");
        _stripe.Requests.Should().HaveCount(3, "one attempt and two retries");
    }

    [Fact]
    public async Task No_retries_when_max_network_retries_is_zero()
    {
        _stripe.Answer(500, """{"error":{"type":"api_error","message":"down"}}""");
        _stripe.Answer(200, Intent);

        var call = () => _stripe.Client(maxNetworkRetries: 0).CreatePaymentIntentAsync(Payment, "order-5-payment");

        await call.Should().ThrowAsync<StripeException>();
        _stripe.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Stripe_should_retry_false_stops_a_retry_the_status_alone_would_allow()
    {
        // A replayed 500: the idempotency layer saved it, so asking again with the same key gets it again.
        _stripe.Answer(500, """{"error":{"type":"api_error","message":"saved failure"}}""", ("Stripe-Should-Retry", "false"), ("Idempotent-Replayed", "true"));
        _stripe.Answer(200, Intent);

        var call = () => _stripe.Client().CreatePaymentIntentAsync(Payment, "order-6-payment");

        (await call.Should().ThrowAsync<StripeException>()).Which.Status.Should().Be(HttpStatusCode.InternalServerError);
        _stripe.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Stripe_should_retry_true_retries_a_status_that_alone_would_not_be()
    {
        _stripe.Answer(400, """{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now."}}""", ("Stripe-Should-Retry", "true"));
        _stripe.Answer(200, Intent);

        var intent = await _stripe.Client().CreatePaymentIntentAsync(Payment, "order-7-payment");

        intent.Id.Should().Be("pi_ok");
        _stripe.Requests.Select(r => r.Header("Idempotency-Key")).Should().Equal("order-7-payment", "order-7-payment");
    }

    [Fact]
    public async Task An_unreachable_stripe_is_a_retry_later_error_without_status()
    {
        for (var i = 0; i < 3; i++)
        {
            _stripe.DropConnection();
        }

        var call = () => _stripe.Client(maxNetworkRetries: 2).CreateRefundAsync(new CreateRefund { PaymentIntent = "pi_1" }, "refund-1");

        var error = (await call.Should().ThrowAsync<StripeException>()).Which;
        error.Kind.Should().Be(StripeErrorKind.RetryLater);
        error.Status.Should().BeNull();
        error.InnerException.Should().BeAssignableTo<HttpRequestException>();
        _stripe.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task An_error_page_that_is_not_stripe_json_is_still_classified_by_its_status()
    {
        _stripe.Answer(502, "<html>Bad Gateway</html>", ("Stripe-Should-Retry", "false"));

        var call = () => _stripe.Client().GetRefundAsync("re_1");

        var error = (await call.Should().ThrowAsync<StripeException>()).Which;
        error.Kind.Should().Be(StripeErrorKind.RetryLater);
        error.Status.Should().Be(HttpStatusCode.BadGateway);
        error.Type.Should().BeNull();
    }

    [Fact]
    public async Task A_caller_cancelling_during_backoff_stops_the_retries()
    {
        _stripe.Answer(503, """{"error":{"type":"api_error","message":"unavailable"}}""");
        var slow = new StripeClient(new HttpClient(), new StripeOptions
        {
            SecretKey = StripeDouble.SecretKey,
            ApiBase = _stripe.Address,
            InitialRetryDelay = TimeSpan.FromMinutes(1),
            MaxRetryDelay = TimeSpan.FromMinutes(1),
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var call = () => slow.GetPaymentIntentAsync("pi_1", cancel.Token);

        await call.Should().ThrowAsync<OperationCanceledException>();
        _stripe.Requests.Should().HaveCount(1);
    }
}
