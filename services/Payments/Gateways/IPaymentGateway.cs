using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Gateways;

/// <summary>
/// Where the money moves: Stripe (<see cref="StripeGateway"/>) or a simulation of Stripe's test mode
/// (<see cref="SimulatedGateway"/>), chosen by <c>TicketToken:Payments:Gateway</c>. Both speak Stripe's objects, fail
/// with <see cref="StripeException"/>, and report what happens later through signed webhooks to the same endpoint.
/// Every write takes an idempotency key: the same key always means the same effect, however often it is retried.
/// </summary>
public interface IPaymentGateway
{
    /// <summary><c>stripe</c> or <c>simulated</c>.</summary>
    string Name { get; }

    Task<StripePaymentIntent> CreateIntentAsync(CreatePaymentIntent request, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripePaymentIntent> GetIntentAsync(string intentId, CancellationToken cancellationToken = default);

    /// <summary>Cancels an intent that has not succeeded; one that has makes this fail with an invalid_request_error.</summary>
    Task<StripePaymentIntent> CancelIntentAsync(string intentId, string cancellationReason, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeRefund> RefundAsync(CreateRefund request, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeAccount> CreateConnectAccountAsync(CreateExpressAccount request, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeAccount> GetConnectAccountAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>A single-use onboarding link (each call makes a new one).</summary>
    Task<StripeAccountLink> CreateOnboardingLinkAsync(string accountId, Uri refreshUrl, Uri returnUrl, CancellationToken cancellationToken = default);

    Task<StripeTransfer> TransferAsync(CreateTransfer request, string idempotencyKey, CancellationToken cancellationToken = default);
}
