using System.Text;
using System.Text.Json;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Tests;

public sealed class StripeEventTests
{
    private const string PaymentSucceeded = """
        {
          "id": "evt_3PaySucceeded", "object": "event", "api_version": "2023-08-16", "created": 1700000999,
          "livemode": false, "pending_webhooks": 1, "type": "payment_intent.succeeded",
          "request": { "id": "req_abc", "idempotency_key": "order-ord_42-payment" },
          "data": {
            "object": {
              "id": "pi_3Paid", "object": "payment_intent", "amount": 2500, "amount_received": 2500, "currency": "usd",
              "status": "succeeded", "client_secret": "pi_3Paid_secret", "latest_charge": "ch_3Paid",
              "metadata": { "order_id": "ord_42" }, "last_payment_error": null, "created": 1700000900, "livemode": false
            }
          }
        }
        """;

    [Fact]
    public void The_envelope_and_a_payment_intent_are_read_from_a_payment_intent_event()
    {
        var stripeEvent = StripeEvent.Parse(Encoding.UTF8.GetBytes(PaymentSucceeded));

        stripeEvent.Should().BeEquivalentTo(new
        {
            Id = "evt_3PaySucceeded",
            Type = "payment_intent.succeeded",
            Created = DateTimeOffset.FromUnixTimeSeconds(1700000999),
            Livemode = false,
            ApiVersion = "2023-08-16",
            Account = (string?)null,
        });
        stripeEvent.DataObject.GetProperty("amount_received").GetInt64().Should().Be(2500);
        stripeEvent.PreviousAttributes.Should().BeNull();

        var intent = stripeEvent.ReadPaymentIntent();
        intent.Should().BeEquivalentTo(new { Id = "pi_3Paid", Status = "succeeded", Amount = 2500L, LatestCharge = "ch_3Paid" });
        intent.Metadata.Should().Equal(new Dictionary<string, string> { ["order_id"] = "ord_42" });
    }

    [Fact]
    public void A_refund_is_read_from_a_refund_event()
    {
        var stripeEvent = StripeEvent.Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_refund","object":"event","type":"refund.updated","created":1700001000,"livemode":false,"api_version":"2023-08-16",
             "data":{"object":{"id":"re_7","object":"refund","amount":700,"currency":"usd","status":"failed","payment_intent":"pi_7",
                               "reason":"requested_by_customer","metadata":{"refund_id":"rf_7"},"created":1700000950},
                     "previous_attributes":{"status":"pending"}}}
            """));

        stripeEvent.ReadRefund().Should().BeEquivalentTo(new { Id = "re_7", Status = "failed", PaymentIntent = "pi_7", Amount = 700L });
        stripeEvent.PreviousAttributes!.Value.GetProperty("status").GetString().Should().Be("pending");
    }

    [Fact]
    public void A_connected_account_update_names_the_account_and_its_previous_attributes()
    {
        var stripeEvent = StripeEvent.Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_acct","object":"event","type":"account.updated","account":"acct_1Organizer","created":1700002000,"livemode":true,
             "data":{"object":{"id":"acct_1Organizer","object":"account","charges_enabled":true,"payouts_enabled":true,"details_submitted":true,"metadata":{}},
                     "previous_attributes":{"charges_enabled":false}}}
            """));

        stripeEvent.Account.Should().Be("acct_1Organizer");
        stripeEvent.Livemode.Should().BeTrue();
        stripeEvent.ReadAccount().Should().BeEquivalentTo(new { Id = "acct_1Organizer", ChargesEnabled = true, PayoutsEnabled = true });
        stripeEvent.PreviousAttributes!.Value.GetProperty("charges_enabled").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public void Reading_the_wrong_kind_of_object_says_what_the_event_carries()
    {
        var chargeRefunded = StripeEvent.Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_ch","object":"event","type":"charge.refunded","created":1700003000,"livemode":false,
             "data":{"object":{"id":"ch_1","object":"charge","amount":2500,"amount_refunded":700,"refunded":false}}}
            """));

        var read = () => chargeRefunded.ReadRefund();

        read.Should().Throw<InvalidOperationException>().WithMessage("*evt_ch*charge.refunded*'charge'*'refund'*");
    }

    [Theory]
    [InlineData("""{"id":"pi_1","object":"payment_intent","amount":1}""")]
    [InlineData("""{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1}""")]
    [InlineData("""{"object":"event","type":"payment_intent.succeeded","created":1,"data":{"object":{"object":"payment_intent"}}}""")]
    [InlineData("""not json""")]
    [InlineData("""null""")]
    public void A_body_that_is_not_an_event_is_refused(string body)
    {
        var parse = () => StripeEvent.Parse(Encoding.UTF8.GetBytes(body));

        parse.Should().Throw<JsonException>();
    }

    [Fact]
    public void A_verified_body_parses_from_the_same_bytes_that_were_signed()
    {
        var body = Encoding.UTF8.GetBytes(PaymentSucceeded);
        var now = DateTimeOffset.FromUnixTimeSeconds(1700001000);
        var header = StripeWebhookSignature.Sign(body, "whsec_endpoint", now.AddSeconds(-2));

        StripeWebhookSignature.Verify(body, header, "whsec_endpoint", now).Should().Be(StripeSignatureCheck.Valid);
        StripeEvent.Parse(body).ReadPaymentIntent().Id.Should().Be("pi_3Paid");
    }
}
