using System.Net;
using Stripe;

namespace TicketToken.Payments.Gateways;

/// <summary>
/// Stripe through Stripe.net's <see cref="IStripeClient"/> (registered by <see cref="StripeClientRegistration"/>): its
/// services send, retry and parse; this class only chooses the parameters and idempotency keys, and translates
/// Stripe.net's objects and exceptions into the module's records.
/// </summary>
public sealed class StripeGateway(IStripeClient client, string name) : IPaymentGateway
{
    private readonly PaymentIntentService _intents = new(client);
    private readonly RefundService _refunds = new(client);
    private readonly AccountService _accounts = new(client);
    private readonly AccountLinkService _links = new(client);
    private readonly TransferService _transfers = new(client);

    public string Name { get; } = name;

    public Task<GatewayIntent> CreateIntentAsync(NewIntent request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CallAsync(async () => StripeObjects.Intent(await _intents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = request.Amount,
            Currency = request.Currency,
            Metadata = new Dictionary<string, string>(request.Metadata),
        }, Keyed(idempotencyKey), cancellationToken)));

    public Task<GatewayIntent> GetIntentAsync(string intentId, CancellationToken cancellationToken = default) =>
        CallAsync(async () => StripeObjects.Intent(await _intents.GetAsync(intentId, cancellationToken: cancellationToken)));

    public Task<GatewayIntent> CancelIntentAsync(string intentId, string cancellationReason, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CallAsync(async () => StripeObjects.Intent(await _intents.CancelAsync(intentId,
            new PaymentIntentCancelOptions { CancellationReason = cancellationReason }, Keyed(idempotencyKey), cancellationToken)));

    public Task<GatewayRefund> RefundAsync(NewRefund request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CallAsync(async () => StripeObjects.Refund(await _refunds.CreateAsync(new RefundCreateOptions
        {
            PaymentIntent = request.PaymentIntent,
            Amount = request.Amount,
            Reason = request.Reason,
            Metadata = new Dictionary<string, string>(request.Metadata),
        }, Keyed(idempotencyKey), cancellationToken)));

    public Task<GatewayAccount> CreateConnectAccountAsync(NewAccount request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CallAsync(async () => StripeObjects.Account(await _accounts.CreateAsync(new AccountCreateOptions
        {
            Type = "express",
            Country = request.Country,
            Email = request.Email,
            Capabilities = new AccountCapabilitiesOptions
            {
                CardPayments = new AccountCapabilitiesCardPaymentsOptions { Requested = true },
                Transfers = new AccountCapabilitiesTransfersOptions { Requested = true },
            },
            Metadata = new Dictionary<string, string>(request.Metadata),
        }, Keyed(idempotencyKey), cancellationToken)));

    public Task<GatewayAccount> GetConnectAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        CallAsync(async () => StripeObjects.Account(await _accounts.GetAsync(accountId, cancellationToken: cancellationToken)));

    /// <remarks>
    /// Stripe sends the organizer to <paramref name="refreshUrl"/> when the link has expired or was used: make a new one
    /// there. <paramref name="returnUrl"/> is where onboarding ends, which does not mean it is complete.
    /// </remarks>
    public Task<GatewayAccountLink> CreateOnboardingLinkAsync(string accountId, Uri refreshUrl, Uri returnUrl, CancellationToken cancellationToken = default) =>
        CallAsync(async () =>
        {
            var link = await _links.CreateAsync(new AccountLinkCreateOptions
            {
                Account = accountId,
                RefreshUrl = refreshUrl.AbsoluteUri,
                ReturnUrl = returnUrl.AbsoluteUri,
                Type = "account_onboarding",
            }, cancellationToken: cancellationToken);
            return new GatewayAccountLink(new Uri(link.Url), StripeObjects.Utc(link.Created), StripeObjects.Utc(link.ExpiresAt));
        });

    public Task<GatewayTransfer> TransferAsync(NewTransfer request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CallAsync(async () =>
        {
            var transfer = await _transfers.CreateAsync(new TransferCreateOptions
            {
                Amount = request.Amount,
                Currency = request.Currency,
                Destination = request.Destination,
                Metadata = new Dictionary<string, string>(request.Metadata),
            }, Keyed(idempotencyKey), cancellationToken);
            return new GatewayTransfer(transfer.Id, transfer.Amount, transfer.Currency, transfer.DestinationId);
        });

    private static RequestOptions Keyed(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        return new RequestOptions { IdempotencyKey = idempotencyKey };
    }

    /// <summary>Stripe.net has retried what it retries (network failures, 409, 429, 5xx, or as Stripe-Should-Retry says); what is left is ours to classify.</summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StripeException e)
        {
            var error = e.StripeError is { } wire
                ? new GatewayError(wire.Type, wire.Code, wire.DeclineCode, wire.Message)
                : new GatewayError(null, null, null, e.Message);
            throw new GatewayException(KindOf(e.HttpStatusCode, error.Type), error, (int)e.HttpStatusCode,
                $"The gateway answered {(int)e.HttpStatusCode} {error.Type} ({error.Code}{(error.DeclineCode is { } decline ? "/" + decline : "")}): {error.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException { InnerException: TimeoutException })
        {
            // No answer after every retry: the write may or may not have happened, which the same key resolves next time.
            throw new GatewayException(GatewayErrorKind.RetryLater, new GatewayError(null, null, null, e.Message), null,
                $"The gateway could not be reached: {e.Message}", e);
        }
    }

    private static GatewayErrorKind KindOf(HttpStatusCode status, string? type) => (int)status switch
    {
        _ when type == "card_error" => GatewayErrorKind.CardDeclined,
        _ when type == "idempotency_error" => GatewayErrorKind.InvalidRequest,
        401 or 403 => GatewayErrorKind.Authentication,
        409 or 429 or >= 500 => GatewayErrorKind.RetryLater,
        _ => GatewayErrorKind.InvalidRequest,
    };
}

/// <summary>Stripe.net's objects as the module's records; the only place besides <see cref="StripeGateway"/> that knows both.</summary>
public static class StripeObjects
{
    public static GatewayIntent Intent(PaymentIntent intent) =>
        new(intent.Id, intent.Amount, intent.Currency, intent.Status, intent.ClientSecret, intent.Metadata ?? [],
            intent.LastPaymentError is { } error ? new GatewayError(error.Type, error.Code, error.DeclineCode, error.Message) : null,
            intent.LatestChargeId, Utc(intent.Created));

    public static GatewayRefund Refund(Stripe.Refund refund) =>
        new(refund.Id, refund.Amount, refund.Currency, refund.Status, refund.PaymentIntentId, refund.Metadata ?? []);

    public static GatewayAccount Account(Stripe.Account account) =>
        new(account.Id, account.ChargesEnabled, account.PayoutsEnabled, account.DetailsSubmitted, account.Metadata ?? []);

    /// <summary>The event's object as a record: intents, refunds and accounts are read; anything else is kept as null.</summary>
    public static GatewayEvent Event(Event stripeEvent) =>
        new(stripeEvent.Id, stripeEvent.Type, Utc(stripeEvent.Created), stripeEvent.ApiVersion, stripeEvent.Data?.Object switch
        {
            PaymentIntent intent => Intent(intent),
            Stripe.Refund refund => Refund(refund),
            Stripe.Account account => Account(account),
            _ => null,
        });

    /// <summary>Stripe.net reads unix timestamps as UTC <see cref="DateTime"/>s.</summary>
    public static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
