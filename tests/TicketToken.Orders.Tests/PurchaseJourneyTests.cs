using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Tickets;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Payments.Apis;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>
/// A fan's journey over HTTP on the embedded runtime, every module real, paying with the simulated gateway whose
/// outcomes arrive as Stripe-signed webhooks; and what happens when the payment does not go through.
/// </summary>
public sealed class PurchaseJourneyTests(JourneyFixture fixture) : IClassFixture<JourneyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_fan_browses_holds_checks_out_pays_and_gets_tickets_whose_codes_decode_and_the_money_balances()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();

        using var browse = await Client.GetAsync("/api/events?q=harbour");
        (await browse.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).Should().Contain(eventId);
        var hold = await fixture.HoldAsync(fan, eventId, new { best = new { quantity = 2, priceZone = "PREMIUM" } });
        var order = await fixture.CheckedOutAsync(fan, eventId, hold);
        var orderId = order.GetProperty("id").GetGuid();
        var paid = await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");

        paid.Text("status").Should().Be("succeeded");
        var total = confirmed.GetProperty("amounts").GetProperty("total").GetInt64();
        using var listed = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets?eventId={eventId}");
        var tickets = (await listed.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        tickets.Should().HaveCount(2).And.OnlyContain(t => t.Text("status") == "active");
        var ticketId = tickets[0].GetProperty("id").GetGuid();
        using var qr = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/qr?format=png");
        (await qr.Content.ReadAsByteArrayAsync()).Length.Should().BeGreaterThan(100);
        if (QrCodes.Available)
        {
            var decoded = await QrCodes.DecodeAsync(await qr.Content.ReadAsByteArrayAsync());
            EntryCodes.TryParse(decoded, out var payload).Should().BeTrue(decoded);
            payload.TicketId.Should().Be(ticketId);
        }
        else
        {
            Console.WriteLine("zbarimg is not installed (apt-get install zbar-tools): the QR image was fetched but not decoded.");
        }

        using var receipt = await Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/{orderId}/receipt");
        (await receipt.Content.ReadAsStringAsync()).Should().Contain(confirmed.Text("number"));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where order_id = $1", orderId) == 1, "the ledger posted the sale");
        var face = confirmed.GetProperty("amounts").GetProperty("faceValue").GetInt64();
        using var balance = await Client.SendAsync(admin, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/balance");
        (await balance.ShouldBeAsync(HttpStatusCode.OK)).ToString().Should().Contain(face.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await fixture.Database.ScalarAsync<long>("""
            select e.amount from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.order_id = $1 and e.account = 'cash' and e.amount > 0
            """, orderId)).Should().Be(total, "the buyer's payment is what comes in");
        (await fixture.Database.ScalarAsync<long>("""
            select -sum(e.amount) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.order_id = $1 and e.account like 'organizer_payable:%'
            """, orderId)).Should().Be(face, "the organizer is owed the face value");
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task A_declined_card_keeps_the_seats_and_the_order_payable_and_another_card_pays_it_with_one_set_of_tickets()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-1", "STALLS-A-2" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();

        using var declined = await fixture.ConfirmAsync(fan, orderId, "4000000000000002");
        await declined.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, "card_declined");
        var afterDecline = await AttemptsReachAsync(fan, orderId, 1);

        afterDecline.Text("status").Should().Be("pending_payment", "a declined card is one attempt, not the end of the order");
        afterDecline.GetProperty("paymentAttempts").Text("lastDeclineCode").Should().Be("generic_decline");
        afterDecline.GetProperty("payment").Text("clientSecret").Should().NotBeNull("the fan can still pay");
        (await SeatStatusAsync(eventId, "STALLS-A-1")).Should().Be("held", "the hold stays until the order's pay-by time");

        using var insufficient = await fixture.ConfirmAsync(fan, orderId, "4000000000009995");
        await insufficient.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, "card_declined");
        (await AttemptsReachAsync(fan, orderId, 2)).GetProperty("paymentAttempts").Text("lastDeclineCode").Should().Be("insufficient_funds");
        var paid = await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        await fixture.DrainAsync();

        paid.Text("status").Should().Be("succeeded");
        confirmed.GetProperty("paymentAttempts").GetProperty("count").GetInt32().Should().Be(3);
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId)).Should().Be(2, "one set of tickets");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where order_id = $1", orderId)).Should().Be(1);
        (await SeatStatusAsync(eventId, "STALLS-A-1")).Should().Be("sold");
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task An_abandoned_3D_Secure_challenge_is_one_failed_attempt_and_the_fan_then_pays_with_another_card()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-3" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        var (_, secret) = await fixture.PaymentOfAsync(fan, orderId);

        var challenge = await fixture.PayAsync(fan, orderId, "4000002500003155");
        challenge.Text("status").Should().Be("requires_action");
        using var abandoned = await Client.SendAsync(fan, HttpMethod.Post, challenge.Text("authenticationUrl"), new { clientSecret = secret, outcome = "fail" });
        await abandoned.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, "payment_intent_authentication_failure");
        (await AttemptsReachAsync(fan, orderId, 1)).GetProperty("paymentAttempts").Text("lastDeclineCode").Should().Be("payment_intent_authentication_failure");

        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId)).Should().Be(1);
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task A_signed_success_for_one_minor_unit_does_not_confirm_the_order_and_is_flagged_for_support()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-6" } });
        var order = await fixture.CheckedOutAsync(fan, eventId, hold);
        var orderId = order.GetProperty("id").GetGuid();
        var (intentId, _) = await fixture.PaymentOfAsync(fan, orderId);

        using var forged = await PostWebhookAsync(StripeEventJson("evt_one_unit_" + Guid.NewGuid().ToString("N"), "payment_intent.succeeded", intentId, orderId),
            JourneyFixture.WebhookSecret);
        await forged.ShouldBeAsync(HttpStatusCode.OK);
        await fixture.DrainAsync();

        (await fixture.OrderAsync(fan, orderId)).Text("status").Should().Be("pending_payment");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId)).Should().Be(0);
        (await fixture.Database.ScalarAsync<string>("select review from payments.payments where order_id = $1", orderId)).Should().Be("amount_mismatch");
        (await fixture.Database.ScalarAsync<long>("select reported_amount from payments.payments where order_id = $1", orderId)).Should().Be(1);

        // The intent itself was never paid: the fan pays it for the order's amount and the order goes ahead.
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        await fixture.DrainAsync(); // the ledger posts the sale from orders.order-confirmed, after the order shows confirmed
        (await fixture.Database.ScalarAsync<long>("""
            select e.amount from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.order_id = $1 and e.account = 'cash' and e.amount > 0
            """, orderId)).Should().Be(confirmed.GetProperty("amounts").GetProperty("total").GetInt64());
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task The_same_webhook_twice_or_a_late_decline_leaves_one_set_of_tickets_and_a_forged_one_changes_nothing()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-1", "STALLS-B-2" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        var (intentId, _) = await fixture.PaymentOfAsync(fan, orderId);

        using var forged = await PostWebhookAsync(StripeEventJson("evt_forged_" + Guid.NewGuid().ToString("N"), "payment_intent.succeeded", intentId, orderId), "whsec_wrong");
        using var unsigned = await Client.PostAsync("/api/payments/webhooks/stripe", new StringContent(StripeEventJson("evt_unsigned", "payment_intent.succeeded", intentId, orderId), Encoding.UTF8, "application/json"));
        await forged.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        await unsigned.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        (await fixture.OrderAsync(fan, orderId)).Text("status").Should().Be("pending_payment");

        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var delivered = await fixture.Database.ScalarAsync<string>(
            "select payload::text from payments.webhook_events where type = 'payment_intent.succeeded' and payload::text like '%' || $1 || '%'", intentId);
        using var again = await PostWebhookAsync(delivered, JourneyFixture.WebhookSecret);
        using var lateDecline = await PostWebhookAsync(StripeEventJson("evt_late_" + Guid.NewGuid().ToString("N"), "payment_intent.payment_failed", intentId, orderId), JourneyFixture.WebhookSecret);

        again.IsSuccessStatusCode.Should().BeTrue();
        lateDecline.IsSuccessStatusCode.Should().BeTrue();
        await fixture.DrainAsync(); // what the two deliveries could still set in motion
        (await fixture.OrderAsync(fan, orderId)).Text("status").Should().Be("confirmed");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId)).Should().Be(2);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where order_id = $1", orderId)).Should().Be(1);
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task A_fan_waits_for_the_order_to_change_with_its_etag_instead_of_polling()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-5" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        var (intentId, clientSecret) = await fixture.PaymentOfAsync(fan, orderId);

        using var first = await GetOrderAsync(fan, orderId, ifNoneMatch: null, prefer: null);
        await first.ShouldBeAsync(HttpStatusCode.OK);
        var etag = first.Headers.ETag!.Tag;
        using var unchanged = await GetOrderAsync(fan, orderId, etag, prefer: null);
        using var malformedWait = await GetOrderAsync(fan, orderId, etag, prefer: "wait=soon");
        var clock = Stopwatch.StartNew();
        using var waitedOut = await GetOrderAsync(fan, orderId, etag, prefer: "wait=1");
        var waited = clock.Elapsed;

        unchanged.StatusCode.Should().Be(HttpStatusCode.NotModified, "nothing changed and the fan did not ask to wait");
        malformedWait.StatusCode.Should().Be(HttpStatusCode.NotModified, "a wait that is not a number of seconds is ignored, not an error");
        waitedOut.StatusCode.Should().Be(HttpStatusCode.NotModified);
        waitedOut.Headers.ETag!.Tag.Should().Be(etag);
        waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900), "the answer waited for a change that did not come");

        // A wait in flight is answered by the change itself: the fan pays, and the same request comes back with the new state.
        clock.Restart();
        var waiting = GetOrderAsync(fan, orderId, etag, prefer: "wait=30");
        await fixture.PostAsync(fan, $"/api/payments/simulated/payment-intents/{intentId}/confirm", new { clientSecret, cardNumber = "4242424242424242" }, HttpStatusCode.OK);
        using var changed = await waiting;
        var answeredAfter = clock.Elapsed;

        await changed.ShouldBeAsync(HttpStatusCode.OK);
        changed.Headers.ETag!.Tag.Should().NotBe(etag);
        answeredAfter.Should().BeLessThan(TimeSpan.FromSeconds(25), "the change, not the 30 s limit, ended the wait");
        // The first change the fan hears of is the payment: its attempt counted, or the order already paid.
        var answer = JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement;
        (answer.Text("status") != "pending_payment" || answer.GetProperty("paymentAttempts").GetProperty("count").GetInt32() == 1)
            .Should().BeTrue($"the answer shows the payment: {answer}");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
    }

    [Fact]
    public async Task A_fan_waiting_on_the_order_hears_of_a_declined_card_once_its_record_commits()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-4" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PaymentOfAsync(fan, orderId);
        using var first = await GetOrderAsync(fan, orderId, ifNoneMatch: null, prefer: null);
        await first.ShouldBeAsync(HttpStatusCode.OK);

        // The decline is recorded in the same transaction as the inbox row of its event; with one host the waiter has
        // nothing but the signal, so a signal sent before that commit would leave it reading the old order until 304.
        var waiting = GetOrderAsync(fan, orderId, first.Headers.ETag!.Tag, prefer: "wait=30");
        await Eventually.TrueAsync(() => Task.FromResult(OrderSignals.IsWaitedOn(orderId)), "the request waits on the order");
        using var declined = await fixture.ConfirmAsync(fan, orderId, "4000000000000002");
        using var answer = await waiting;

        await declined.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired, "card_declined");
        var order = await answer.ShouldBeAsync(HttpStatusCode.OK);
        order.GetProperty("paymentAttempts").GetProperty("count").GetInt32().Should().Be(1);
        order.GetProperty("paymentAttempts").Text("lastDeclineCode").Should().Be("generic_decline");
        OrderSignals.IsWaitedOn(orderId).Should().BeFalse("the answered request gave its signal back");
    }

    private async Task<HttpResponseMessage> GetOrderAsync(Person fan, Guid orderId, string? ifNoneMatch, string? prefer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{orderId}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fan.AccessToken);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return await Client.SendAsync(request);
    }

    [Fact]
    public async Task Order_rows_written_when_statuses_were_text_read_back_and_answer_the_same_text()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-5" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        (await fixture.Database.ScalarAsync<string>("select status from orders.orders where id = $1", orderId)).Should().Be("pending_payment");
        using (var cancel = await Client.SendAsync(fan, HttpMethod.Post, $"/api/orders/{orderId}/cancel"))
        {
            await cancel.ShouldBeAsync(HttpStatusCode.Accepted);
        }

        await fixture.OrderReachesAsync(fan, orderId, "cancelled"); // its purchase is over: the row is the test's alone now
        (await fixture.Database.ScalarAsync<string>("select status from orders.orders where id = $1", orderId)).Should().Be("cancelled");

        // Each text a row may hold from before the status was an enum, written behind the module's back.
        foreach (var (text, status) in new[]
                 {
                     ("pending_payment", OrderStatus.PendingPayment), ("paid", OrderStatus.Paid), ("confirmed", OrderStatus.Confirmed), ("failed", OrderStatus.Failed),
                     ("expired", OrderStatus.Expired), ("cancelled", OrderStatus.Cancelled), ("refunded", OrderStatus.Refunded),
                     ("partially_refunded", OrderStatus.PartiallyRefunded),
                 })
        {
            await fixture.Database.ExecuteAsync("update orders.orders set status = $2 where id = $1", orderId, text);
            await using var scope = fixture.Host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();

            (await db.Orders.AsNoTracking().SingleAsync(o => o.Id == orderId)).Status.Should().Be(status);
            (await db.Orders.CountAsync(o => o.Id == orderId && o.Status == status)).Should().Be(1, "a query on the enum matches the stored text");
            using var read = await Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/{orderId}");
            (await read.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be(text);
            using var listed = await Client.SendAsync(fan, HttpMethod.Get, $"/api/orders?status={text}");
            (await listed.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()).Should().Contain(orderId);
        }
    }

    [Fact]
    public async Task A_fan_can_cancel_before_paying_and_the_intent_is_cancelled()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-6" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PaymentOfAsync(fan, orderId);

        using var cancel = await Client.SendAsync(fan, HttpMethod.Post, $"/api/orders/{orderId}/cancel");
        await cancel.ShouldBeAsync(HttpStatusCode.Accepted);
        var cancelled = await fixture.OrderReachesAsync(fan, orderId, "cancelled");
        using var again = await Client.SendAsync(fan, HttpMethod.Post, $"/api/orders/{orderId}/cancel");

        cancelled.Text("failureCode").Should().Be("cancelled_by_buyer");
        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "order_not_cancellable");
        (await fixture.Database.ScalarAsync<string>("select status from payments.payments where order_id = $1", orderId)).Should().Be("canceled");
        await Eventually.TrueAsync(async () => await SeatStatusAsync(eventId, "STALLS-A-6") == "available", "the cancelled order's seat is free again");
    }

    [Fact]
    public async Task An_organizer_refunds_one_line_the_ticket_is_refunded_the_seat_is_for_sale_again_and_the_ledger_reverses_it()
    {
        var (admin, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-5", "STALLS-B-6" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var line = confirmed.GetProperty("lines").EnumerateArray().Single(l => l.Text("seatId") == "STALLS-B-6");

        using var request = admin.Request(HttpMethod.Post, $"/api/orders/{orderId}/refunds", new { lines = new[] { line.GetProperty("lineNumber").GetInt32() }, reason = "Obstructed view" });
        request.Headers.Add("Idempotency-Key", "refund-b6");
        using var refund = await Client.SendAsync(request);
        await refund.ShouldBeAsync(HttpStatusCode.Accepted);
        var partial = await fixture.OrderReachesAsync(fan, orderId, "partially_refunded");

        partial.GetProperty("amounts").GetProperty("refunded").GetInt64().Should().Be(line.GetProperty("total").GetInt64());
        await Eventually.TrueAsync(async () => await SeatStatusAsync(eventId, "STALLS-B-6") == "available", "the refunded seat is on sale again");
        (await SeatStatusAsync(eventId, "STALLS-B-5")).Should().Be("sold");
        (await fixture.Database.ScalarAsync<string>("select status from tickets.tickets where order_id = $1 and seat_id = 'STALLS-B-6'", orderId)).Should().Be("refunded");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where order_id = $1", orderId) == 2, "the ledger reversed the refunded line");
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    private async Task<string> SeatStatusAsync(Guid eventId, string seatId)
    {
        using var response = await Client.GetAsync($"/api/inventory/events/{eventId}/seats");
        return (await response.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().SelectMany(s => s.GetProperty("seats").EnumerateArray())
            .Single(s => s.Text("id") == seatId).Text("status");
    }

    private Task<HttpResponseMessage> PostWebhookAsync(string json, string secret)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.Add(WebhooksApi.SignatureHeader, Stripe.EventUtility.GenerateSignatureHeader(json, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        return Client.PostAsync(WebhooksApi.StripePath, content);
    }

    private async Task<JsonElement> AttemptsReachAsync(Person fan, Guid orderId, int count)
    {
        JsonElement order = default;
        await Eventually.TrueAsync(async () => (order = await fixture.OrderAsync(fan, orderId)).GetProperty("paymentAttempts").GetProperty("count").GetInt32() >= count,
            $"order {orderId} shows {count} payment attempt(s)", TimeSpan.FromSeconds(60));
        return order;
    }

    /// <summary>An event as Stripe sends it (the fields the webhook reads), for the intent of the order.</summary>
    private static string StripeEventJson(string id, string type, string intentId, Guid orderId) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = id,
        ["object"] = "event",
        ["type"] = type,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
        ["data"] = new Dictionary<string, object?>
        {
            ["object"] = new Dictionary<string, object?>
            {
                ["id"] = intentId,
                ["object"] = "payment_intent",
                ["amount"] = 1,
                ["currency"] = "eur",
                ["status"] = type == "payment_intent.succeeded" ? "succeeded" : "requires_payment_method",
                ["metadata"] = new Dictionary<string, string> { ["order_id"] = orderId.ToString() },
                ["last_payment_error"] = type == "payment_intent.payment_failed" ? new Dictionary<string, string> { ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = "generic_decline", ["message"] = "declined" } : null,
            },
        },
    });
}

/// <summary>Nobody pays before the hold runs out: the purchase gives up, cancels the intent and frees the seats.</summary>
public sealed class UnpaidPurchaseTests(ShortHoldJourneyFixture fixture) : IClassFixture<ShortHoldJourneyFixture>
{
    [Fact]
    public async Task An_order_not_paid_before_the_hold_expires_is_expired_its_intent_cancelled_and_its_seats_free()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-3" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        var (intentId, secret) = await fixture.PaymentOfAsync(fan, orderId);

        var expired = await fixture.OrderReachesAsync(fan, orderId, "expired");
        using var tooLate = await fixture.Client.SendAsync(fan, HttpMethod.Post, $"/api/payments/simulated/payment-intents/{intentId}/confirm",
            new { clientSecret = secret, cardNumber = "4242424242424242" });

        expired.Text("failureCode").Should().Be("payment_not_received");
        (await fixture.Database.ScalarAsync<string>("select status from payments.payments where order_id = $1", orderId)).Should().Be("canceled");
        tooLate.IsSuccessStatusCode.Should().BeFalse("a cancelled intent cannot be paid");
        using var seats = await fixture.Client.GetAsync($"/api/inventory/events/{eventId}/seats");
        (await seats.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().SelectMany(s => s.GetProperty("seats").EnumerateArray())
            .Single(s => s.Text("id") == "STALLS-A-3").Text("status").Should().Be("available");
        await Invariants.CheckAsync(fixture.Database, fixture.Client, eventId);
    }
}

/// <summary>The host dies (SIGKILL) once the fan has paid and before the order is done; started again, it finishes the order once.</summary>
public sealed class CrashedPurchaseTests(CrashJourneyFixture fixture) : IClassFixture<CrashJourneyFixture>
{
    [Fact]
    public async Task A_host_killed_between_payment_and_tickets_completes_the_order_with_one_set_of_tickets_after_restart()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-A-2", "STALLS-A-3", "STALLS-A-4" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();

        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.KillAsync();
        var ticketsAtKill = await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId);
        var statusAtKill = await fixture.Database.ScalarAsync<string>("select status from orders.orders where id = $1", orderId);
        Console.WriteLine($"Killed with the order {statusAtKill} and {ticketsAtKill} ticket(s) issued.");
        await fixture.StartAsync();

        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        statusAtKill.Should().NotBe("confirmed", "the kill is meant to land before the purchase finished");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId)).Should().Be(3);
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status = 'active'", orderId)).Should().Be(3);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where order_id = $1", orderId) == 1, "the ledger posted the sale once");
        await Invariants.CheckAsync(fixture.Database, fixture.Client, eventId);
    }
}
