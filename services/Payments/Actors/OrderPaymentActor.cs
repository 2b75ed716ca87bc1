using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Actors;

/// <summary>
/// One order's payment. Turns run one at a time per order, so the gateway is never asked twice at once for the same
/// order; every gateway write carries an idempotency key derived from the order (or the refund), so a retried call,
/// even after a crash between the gateway's answer and our write, changes nothing. What the gateway reports later
/// arrives by webhook (<see cref="WebhookInbox"/>), which also publishes the outcome; the row in <c>payments</c> is
/// the state both share.
/// </summary>
public sealed partial class OrderPaymentActor(ActorHost host, IServiceScopeFactory scopes) : Actor(host), IOrderPaymentActor
{
    private static readonly string[] CancellationReasons = ["abandoned", "duplicate", "fraudulent", "requested_by_customer"];
    private static readonly string[] RefundReasons = ["duplicate", "fraudulent", "requested_by_customer"];

    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task<PaymentView> CreateIntentAsync(CreatePayment request)
    {
        if (request.Amount < 1 || !CurrencyCode().IsMatch(request.Currency))
        {
            throw new ArgumentException($"A payment needs a positive amount in minor units and an ISO 4217 currency; got {request.Amount} {request.Currency}.", nameof(request));
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var currency = request.Currency.ToLowerInvariant();
        if (await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == request.OrderId) is { } existing)
        {
            if (!existing.AmountFromOrder)
            {
                return View(await CompleteAsync(db, scope.ServiceProvider, request, currency, clientSecret: null));
            }

            return existing.Amount == request.Amount && existing.Currency == currency
                ? View(existing)
                : throw new InvalidOperationException($"Order {request.OrderId} already has a payment of {existing.Amount} {existing.Currency}, not {request.Amount} {currency}.");
        }

        var gateway = scope.ServiceProvider.GetRequiredService<IPaymentGateway>();
        var intent = await gateway.CreateIntentAsync(new NewIntent(request.Amount, currency, PaymentMetadata.For(request)), request.OrderId.ToString());

        var payment = new Payment
        {
            OrderId = request.OrderId,
            OrderNumber = request.OrderNumber,
            BuyerId = request.BuyerId,
            OrganizerId = request.OrganizerId,
            EventId = request.EventId,
            Gateway = gateway.Name,
            IntentId = intent.Id,
            ClientSecret = intent.ClientSecret,
            Status = intent.Status,
            StatusChangedAt = intent.Created,
            Amount = request.Amount,
            Currency = currency,
            PayBy = request.PayBy,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
        db.Payments.Add(payment);
        try
        {
            await db.SaveChangesAsync();
            return View(payment);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return View(await CompleteAsync(db, scope.ServiceProvider, request, currency, intent.ClientSecret));
        }
    }

    /// <summary>
    /// A webhook about this intent came first and made the row from the intent's metadata, with the gateway's amount: the
    /// order's request completes it with the order's amount, then checks what the gateway says the intent is now, which
    /// publishes a success held back until the amount could be checked (the one outcome this actor publishes).
    /// </summary>
    private async Task<Payment> CompleteAsync(PaymentsDbContext db, IServiceProvider services, CreatePayment request, string currency, string? clientSecret)
    {
        var gateway = services.GetRequiredService<IPaymentGateway>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var recorded = await db.Payments.FromSql($"select * from payments.payments where order_id = {request.OrderId} for update").SingleAsync();
        if (!recorded.AmountFromOrder)
        {
            recorded.Amount = request.Amount;
            recorded.Currency = currency;
            recorded.AmountFromOrder = true;
            recorded.ClientSecret ??= clientSecret;
            recorded.BuyerId ??= request.BuyerId;
            recorded.OrganizerId ??= request.OrganizerId;
            recorded.EventId ??= request.EventId;
            recorded.PayBy ??= request.PayBy;
            recorded.UpdatedAt = Now;
            var current = await gateway.GetIntentAsync(recorded.IntentId);
            PaymentOutcomes.Apply(db, recorded, current, Now, declined: false, services.GetRequiredService<ProcessorFees>(), Logger, Now);
            await db.SaveChangesAsync();
        }

        await transaction.CommitAsync();
        return recorded;
    }

    public async Task<PaymentView> CancelIntentAsync(CancelPayment request)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == request.OrderId);
        if (payment is null)
        {
            // No intent was ever made for the order, so no money can come in: that is what canceled means here.
            return new PaymentView(request.OrderId, scope.ServiceProvider.GetRequiredService<IPaymentGateway>().Name, "", null,
                PaymentStatuses.Canceled, 0, "", null, null);
        }

        if (IntentStatus.IsFinal(payment.Status))
        {
            return View(payment);
        }

        var gateway = scope.ServiceProvider.GetRequiredService<IPaymentGateway>();
        GatewayIntent intent;
        try
        {
            var reason = CancellationReasons.Contains(request.Reason) ? request.Reason : "abandoned";
            intent = await gateway.CancelIntentAsync(payment.IntentId, reason, $"{request.OrderId}:cancel");
        }
        catch (GatewayException e) when (e.Kind == GatewayErrorKind.InvalidRequest)
        {
            // Refused because of its state: the fan paid first (or it was canceled already). Ask what it is now.
            intent = await gateway.GetIntentAsync(payment.IntentId);
        }

        return View(await RecordAnswerAsync(db, request.OrderId, intent));
    }

    public async Task<RefundView> RefundAsync(RefundPayment request)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        if (await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.RefundId == request.RefundId) is { } done)
        {
            return View(done);
        }

        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == request.OrderId);
        if (payment is not { Status: PaymentStatuses.Succeeded })
        {
            return Refused(request, "The order's payment has not succeeded, so there is nothing to refund.");
        }

        var refunded = await db.Refunds.Where(r => r.OrderId == request.OrderId && r.Status != RefundStatus.Failed).SumAsync(r => r.Amount);
        if (request.Amount < 1 || refunded + request.Amount > payment.Amount)
        {
            return Refused(request, $"{request.Amount} cannot be refunded: {payment.Amount - refunded} of {payment.Amount} is left.");
        }

        GatewayRefund answer;
        try
        {
            answer = await scope.ServiceProvider.GetRequiredService<IPaymentGateway>().RefundAsync(new NewRefund(payment.IntentId, request.Amount,
                RefundReasons.Contains(request.Reason) ? request.Reason : "requested_by_customer",
                new Dictionary<string, string>
                {
                    [PaymentMetadata.OrderId] = request.OrderId.ToString(),
                    [PaymentMetadata.RefundId] = request.RefundId.ToString(),
                }), request.RefundId.ToString());
        }
        catch (GatewayException e) when (e.Kind is GatewayErrorKind.InvalidRequest or GatewayErrorKind.CardDeclined)
        {
            // The same key gets the same refusal from the gateway on a retry, so there is nothing to record.
            return Refused(request, e.Error.Message ?? e.Message);
        }

        // Its webhook may be recording the same refund right now: whichever comes second merges into the first's row.
        await using var transaction = await db.Database.BeginTransactionAsync();
        var refund = await RefundStatus.RecordAsync(db, new Refund
        {
            RefundId = request.RefundId,
            OrderId = request.OrderId,
            GatewayRefundId = answer.Id,
            Amount = answer.Amount,
            Currency = answer.Currency,
            Status = RefundStatus.Of(answer.Status),
            CreatedAt = Now,
            UpdatedAt = Now,
        }, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return View(refund);
    }

    public async Task<PaymentView?> GetAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var orderId = Guid.ParseExact(Id.Id, "N");
        return await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == orderId) is { } payment ? View(payment) : null;
    }

    /// <summary>
    /// Keeps what the gateway answered when it is final (canceled, or succeeded when the fan paid first, for the order's
    /// amount only). The outcome events stay with the webhook, which publishes PaymentSucceeded even when this answer
    /// recorded the status first.
    /// </summary>
    private async Task<Payment> RecordAnswerAsync(PaymentsDbContext db, Guid orderId, GatewayIntent intent)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        var payment = await db.Payments.FromSql($"select * from payments.payments where order_id = {orderId} for update").SingleAsync();
        var report = IntentStatus.IsFinal(intent.Status) ? IntentStatus.Apply(payment, intent, Now) : IntentReport.Stale;
        if (report == IntentReport.AmountMismatch && IntentStatus.Flag(payment, intent, Now))
        {
            Logger.LogError("Payment intent {IntentId} of order {OrderId} is succeeded for {ReportedAmount} {ReportedCurrency}, not the order's {Amount} {Currency}: flagged for support",
                intent.Id, orderId, intent.Amount, intent.Currency, payment.Amount, payment.Currency);
        }

        if (report is IntentReport.Applied or IntentReport.AmountMismatch)
        {
            payment.UpdatedAt = Now;
            await db.SaveChangesAsync();
        }

        await transaction.CommitAsync();
        return payment;
    }

    private static PaymentView View(Payment payment) =>
        new(payment.OrderId, payment.Gateway, payment.IntentId, payment.ClientSecret, payment.Status, payment.Amount, payment.Currency,
            payment.FailureCode, payment.FailureMessage);

    private static RefundView View(Refund refund) =>
        new(refund.RefundId, refund.GatewayRefundId, StateOf(refund.Status), refund.Amount, refund.FailureMessage);

    private static RefundState StateOf(string status) => status switch
    {
        RefundStatus.Succeeded => RefundState.Succeeded,
        RefundStatus.Failed => RefundState.Failed,
        _ => RefundState.Pending,
    };

    private static RefundView Refused(RefundPayment request, string message) =>
        new(request.RefundId, "", RefundState.Failed, request.Amount, message);

    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex CurrencyCode();
}
