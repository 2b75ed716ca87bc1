using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Gateways;

/// <summary>Stripe itself, through <see cref="StripeClient"/> and the configured secret key.</summary>
public sealed class StripeGateway : IPaymentGateway, IDisposable
{
    private readonly HttpClient _http;
    private readonly StripeClient _stripe;

    public StripeGateway(PaymentsOptions options)
    {
        // One long-lived client whose pooled connections are renewed, so DNS changes at Stripe are picked up.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) };
        _stripe = new StripeClient(_http, new StripeOptions
        {
            SecretKey = options.Stripe.SecretKey!,
            ApiBase = options.Stripe.ApiBase,
            MaxNetworkRetries = options.Stripe.MaxNetworkRetries,
        });
    }

    public string Name => PaymentsOptions.StripeGateway;

    public Task<StripePaymentIntent> CreateIntentAsync(CreatePaymentIntent request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        _stripe.CreatePaymentIntentAsync(request, idempotencyKey, cancellationToken);

    public Task<StripePaymentIntent> GetIntentAsync(string intentId, CancellationToken cancellationToken = default) =>
        _stripe.GetPaymentIntentAsync(intentId, cancellationToken);

    public Task<StripePaymentIntent> CancelIntentAsync(string intentId, string cancellationReason, string idempotencyKey, CancellationToken cancellationToken = default) =>
        _stripe.CancelPaymentIntentAsync(intentId, cancellationReason, idempotencyKey, cancellationToken);

    public Task<StripeRefund> RefundAsync(CreateRefund request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        _stripe.CreateRefundAsync(request, idempotencyKey, cancellationToken);

    public Task<StripeAccount> CreateConnectAccountAsync(CreateExpressAccount request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        _stripe.CreateExpressAccountAsync(request, idempotencyKey, cancellationToken);

    public Task<StripeAccount> GetConnectAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        _stripe.GetAccountAsync(accountId, cancellationToken);

    public Task<StripeAccountLink> CreateOnboardingLinkAsync(string accountId, Uri refreshUrl, Uri returnUrl, CancellationToken cancellationToken = default) =>
        _stripe.CreateAccountLinkAsync(accountId, refreshUrl, returnUrl, idempotencyKey: null, cancellationToken);

    public Task<StripeTransfer> TransferAsync(CreateTransfer request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        _stripe.CreateTransferAsync(request, idempotencyKey, cancellationToken);

    public void Dispose() => _http.Dispose();
}
