using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Simulated;
using TicketToken.Testing;

namespace TicketToken.Payments.Tests;

/// <summary>
/// The refund flow (the <c>OrderPayment</c> actor writing the gateway's answer) and the refund's webhook record the same
/// refund. A tester once saw <c>refund.created</c> answer 500 (duplicate key on <c>payments.refunds</c>): the webhook had
/// looked for the row, not seen the flow's uncommitted insert, and then inserted its own. These tests put the two
/// writers in each order by holding one's transaction open until the other is seen waiting on it in PostgreSQL, so the
/// race happens every time, without sleeping.
/// </summary>
public sealed class RefundRaceTests(PaymentsFixture fixture) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task A_refund_created_webhook_arriving_while_the_refund_flow_writes_the_row_answers_200_and_records_one_refund()
    {
        var (orderId, intentId) = await PaidPaymentAsync();
        var refundId = Guid.NewGuid();
        var gatewayRefundId = $"re_race_{Guid.NewGuid():N}";

        // The refund flow's insert, not committed yet.
        await using var flow = await OpenAsync();
        await using var transaction = await flow.BeginTransactionAsync();
        await InsertRefundAsync(flow, refundId, orderId, gatewayRefundId, RefundStatus.Pending);
        var webhook = fixture.PostSignedWebhookAsync(StripeEvents.Event("refund.created",
            StripeEvents.Refund(gatewayRefundId, intentId, orderId, refundId, 1000, "succeeded")));
        await WaitUntilBlockedOnRefundsAsync(flow);
        await transaction.CommitAsync();
        using var response = await webhook;

        await response.ShouldBeAsync(HttpStatusCode.OK);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where refund_id = $1", refundId)).Should().Be(1);
        (await fixture.Database.ScalarAsync<string>("select status from payments.refunds where refund_id = $1", refundId))
            .Should().Be(RefundStatus.Succeeded, "the webhook's newer status merges into the flow's row");
    }

    [Fact]
    public async Task The_refund_flow_writing_while_the_webhooks_transaction_holds_the_row_records_one_refund_and_keeps_the_newer_status()
    {
        var (orderId, _) = await PaidPaymentAsync();
        var refundId = Guid.NewGuid();
        var gatewayRefundId = $"re_race_{Guid.NewGuid():N}";

        // The webhook's insert (it reported succeeded), not committed yet; the flow then records the gateway's answer, pending.
        await using var webhook = await OpenAsync();
        await using var transaction = await webhook.BeginTransactionAsync();
        await InsertRefundAsync(webhook, refundId, orderId, gatewayRefundId, RefundStatus.Succeeded);
        var flow = RecordAsFlowAsync(refundId, orderId, gatewayRefundId, RefundStatus.Pending);
        await WaitUntilBlockedOnRefundsAsync(webhook);
        await transaction.CommitAsync();
        var recorded = await flow;

        recorded.Status.Should().Be(RefundStatus.Succeeded, "a refund never goes back from succeeded to pending");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where refund_id = $1", refundId)).Should().Be(1);
    }

    [Fact]
    public async Task A_refund_created_webhook_before_the_refund_flow_and_the_flow_after_it_record_one_refund()
    {
        var (orderId, intentId) = await PaidPaymentAsync();
        var refundId = Guid.NewGuid();
        var gatewayRefundId = $"re_race_{Guid.NewGuid():N}";

        using var response = await fixture.PostSignedWebhookAsync(StripeEvents.Event("refund.created",
            StripeEvents.Refund(gatewayRefundId, intentId, orderId, refundId, 1000, "pending")));
        var recorded = await RecordAsFlowAsync(refundId, orderId, gatewayRefundId, RefundStatus.Succeeded);
        using var updated = await fixture.PostSignedWebhookAsync(StripeEvents.Event("refund.updated",
            StripeEvents.Refund(gatewayRefundId, intentId, orderId, refundId, 1000, "succeeded")));

        await response.ShouldBeAsync(HttpStatusCode.OK);
        await updated.ShouldBeAsync(HttpStatusCode.OK);
        recorded.Status.Should().Be(RefundStatus.Succeeded);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where refund_id = $1", refundId)).Should().Be(1);
    }

    [Fact]
    public async Task A_refund_through_the_actor_and_its_simulated_webhook_end_as_one_succeeded_refund()
    {
        var (orderId, intentId) = await PaidPaymentAsync();
        var refundId = Guid.NewGuid();

        var refund = await fixture.PaymentOf(orderId).RefundAsync(new RefundPayment(orderId, refundId, 1500, "requested_by_customer"));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.webhook_events where type = 'refund.created' and payload #>> '{data,object,id}' = $1", refund.GatewayRefundId) == 1,
            "the refund's webhook was taken in");
        await fixture.DrainAsync();

        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where order_id = $1", orderId)).Should().Be(1);
        (await fixture.Database.ScalarAsync<string>("select status from payments.refunds where refund_id = $1", refundId)).Should().Be(RefundStatus.Succeeded);
        (await fixture.Database.ScalarAsync<string>("select fingerprint from payments.simulated_requests where idempotency_key = $1", refundId.ToString()))
            .Should().StartWith("POST /api/payments/simulated/stripe/v1/refunds?", "the refund's idempotency key is the refund id").And.Contain(intentId);
    }

    private async Task<(Guid OrderId, string IntentId)> PaidPaymentAsync()
    {
        var fan = await fixture.Personas.FanAsync();
        var orderId = Guid.NewGuid();
        var payment = await fixture.CreatePaymentAsync(orderId, fan.UserId, amount: 5000);
        using var request = fan.Request(HttpMethod.Post, $"/api/payments/simulated/payment-intents/{payment.IntentId}/confirm",
            new { clientSecret = payment.ClientSecret, cardNumber = TestCards.Succeeds });
        using var paid = await fixture.Client.SendAsync(request);
        await paid.ShouldBeAsync(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => (await fixture.PaymentOf(orderId).GetAsync())!.Status == PaymentStatuses.Succeeded, "the payment succeeded");
        return (orderId, payment.IntentId);
    }

    /// <summary>What the actor does with the gateway's answer to its refund request.</summary>
    private Task<Refund> RecordAsFlowAsync(Guid refundId, Guid orderId, string gatewayRefundId, string status) =>
        fixture.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<PaymentsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var now = DateTimeOffset.UtcNow;
            var refund = await RefundStatus.RecordAsync(db, new Refund
            {
                RefundId = refundId, OrderId = orderId, GatewayRefundId = gatewayRefundId, Amount = 1000, Currency = "usd", Status = status, CreatedAt = now, UpdatedAt = now,
            }, CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return refund;
        });

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task InsertRefundAsync(NpgsqlConnection connection, Guid refundId, Guid orderId, string gatewayRefundId, string status)
    {
        await using var insert = new NpgsqlCommand("""
            insert into payments.refunds (refund_id, order_id, gateway_refund_id, amount, currency, status, created_at, updated_at)
            values ($1, $2, $3, 1000, 'usd', $4, now(), now())
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = refundId });
        insert.Parameters.Add(new NpgsqlParameter { Value = orderId });
        insert.Parameters.Add(new NpgsqlParameter { Value = gatewayRefundId });
        insert.Parameters.Add(new NpgsqlParameter { Value = status });
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>Until another session waits for a lock this connection's transaction holds, writing to payments.refunds.</summary>
    private async Task WaitUntilBlockedOnRefundsAsync(NpgsqlConnection holder) =>
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("""
            select count(*) from pg_stat_activity
            where wait_event_type = 'Lock' and query ilike '%payments.refunds%' and $1 = any(pg_blocking_pids(pid))
            """, holder.ProcessID) > 0, "the other writer is waiting for the refund row held open here");
}
