using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace TicketToken.Payments.Stripe;

/// <summary>
/// Stripe's REST API (v1) over <see cref="HttpClient"/>, for the calls the payments module makes: PaymentIntents,
/// refunds and Connect (express accounts, onboarding links, transfers).
/// </summary>
/// <remarks>
/// Every request carries the secret key and the pinned <c>Stripe-Version</c>. Writes carry an <c>Idempotency-Key</c>,
/// the same on every retry, so that a retried write can never happen twice. Network failures, 409, 429 and 5xx are
/// retried with exponential backoff up to <see cref="StripeOptions.MaxNetworkRetries"/> times, unless Stripe's
/// <c>Stripe-Should-Retry</c> header says otherwise. A call that still fails throws <see cref="StripeException"/>.
/// </remarks>
public sealed class StripeClient
{
    private const int MaxIdempotencyKeyLength = 255;

    private readonly HttpClient _http;
    private readonly StripeOptions _options;

    public StripeClient(HttpClient http, StripeOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SecretKey);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxNetworkRetries);
        _http = http;
        _options = options;
    }

    public Task<StripePaymentIntent> CreatePaymentIntentAsync(CreatePaymentIntent request, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        PostAsync<StripePaymentIntent>("payment_intents", idempotencyKey, new()
        {
            ["amount"] = request.Amount,
            ["currency"] = request.Currency,
            ["metadata"] = request.Metadata,
            ["automatic_payment_methods"] = request.AutomaticPaymentMethods is { } enabled ? new Dictionary<string, object?> { ["enabled"] = enabled } : null,
            ["transfer_group"] = request.TransferGroup,
            ["application_fee_amount"] = request.ApplicationFeeAmount,
            ["transfer_data"] = request.TransferDestination is { } destination ? new Dictionary<string, object?> { ["destination"] = destination } : null,
        }, cancellationToken);

    public Task<StripePaymentIntent> GetPaymentIntentAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<StripePaymentIntent>($"payment_intents/{Segment(id)}", cancellationToken);

    /// <summary>Cancels a PaymentIntent that is not yet paid (or releases an uncaptured one).</summary>
    /// <remarks><c>cancellationReason</c>: abandoned, duplicate, fraudulent or requested_by_customer; null for none.</remarks>
    public Task<StripePaymentIntent> CancelPaymentIntentAsync(string id, string? cancellationReason, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        PostAsync<StripePaymentIntent>($"payment_intents/{Segment(id)}/cancel", idempotencyKey, new()
        {
            ["cancellation_reason"] = cancellationReason,
        }, cancellationToken);

    public Task<StripeRefund> CreateRefundAsync(CreateRefund request, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        PostAsync<StripeRefund>("refunds", idempotencyKey, new()
        {
            ["payment_intent"] = request.PaymentIntent,
            ["amount"] = request.Amount,
            ["reason"] = request.Reason,
            ["metadata"] = request.Metadata,
        }, cancellationToken);

    public Task<StripeRefund> GetRefundAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<StripeRefund>($"refunds/{Segment(id)}", cancellationToken);

    public Task<StripeAccount> CreateExpressAccountAsync(CreateExpressAccount request, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        PostAsync<StripeAccount>("accounts", idempotencyKey, new()
        {
            ["type"] = "express",
            ["country"] = request.Country,
            ["email"] = request.Email,
            ["capabilities"] = new Dictionary<string, object?>
            {
                ["card_payments"] = new Dictionary<string, object?> { ["requested"] = true },
                ["transfers"] = new Dictionary<string, object?> { ["requested"] = true },
            },
            ["metadata"] = request.Metadata,
        }, cancellationToken);

    public Task<StripeAccount> GetAccountAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<StripeAccount>($"accounts/{Segment(id)}", cancellationToken);

    /// <summary>An onboarding link for a connected account (<c>type=account_onboarding</c>).</summary>
    /// <remarks>
    /// Stripe sends the organizer to <c>refreshUrl</c> when the link has expired or was already used: make a new link
    /// there. <c>returnUrl</c> is where the organizer lands on leaving onboarding, which does not mean it is complete:
    /// read the account (or wait for account.updated).
    /// </remarks>
    public Task<StripeAccountLink> CreateAccountLinkAsync(string accountId, Uri refreshUrl, Uri returnUrl, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        PostAsync<StripeAccountLink>("account_links", idempotencyKey, new()
        {
            ["account"] = accountId,
            ["refresh_url"] = refreshUrl.AbsoluteUri,
            ["return_url"] = returnUrl.AbsoluteUri,
            ["type"] = "account_onboarding",
        }, cancellationToken);

    public Task<StripeTransfer> CreateTransferAsync(CreateTransfer request, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        PostAsync<StripeTransfer>("transfers", idempotencyKey, new()
        {
            ["amount"] = request.Amount,
            ["currency"] = request.Currency,
            ["destination"] = request.Destination,
            ["transfer_group"] = request.TransferGroup,
            ["source_transaction"] = request.SourceTransaction,
            ["metadata"] = request.Metadata,
        }, cancellationToken);

    private Task<T> PostAsync<T>(string path, string? idempotencyKey, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        if (idempotencyKey?.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"Stripe takes idempotency keys of at most {MaxIdempotencyKeyLength} characters.", nameof(idempotencyKey));
        }

        // Without a key from the caller, one key for all of this call's attempts still keeps our own retries safe.
        var key = string.IsNullOrEmpty(idempotencyKey) ? Guid.NewGuid().ToString() : idempotencyKey;
        return SendAsync<T>(HttpMethod.Post, path, StripeForm.Encode(parameters), key, cancellationToken);
    }

    private Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Get, path, body: null, idempotencyKey: null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? body, string? idempotencyKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var retriesLeft = attempt < _options.MaxNetworkRetries;
            using var request = NewRequest(method, path, body, idempotencyKey);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // No answer (refused, reset, timed out): the write may or may not have happened, which the same
                // idempotency key on the retry resolves.
                if (!retriesLeft)
                {
                    throw new StripeException($"Stripe could not be reached: {e.Message}", StripeErrorKind.RetryLater, inner: e);
                }

                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<T>(StripeJson.Options, cancellationToken)
                        ?? throw new StripeException($"Stripe answered {(int)response.StatusCode} without a body.", StripeErrorKind.RetryLater, response.StatusCode);
                }

                var failure = await StripeException.FromResponseAsync(response, cancellationToken);
                if (!retriesLeft || !ShouldRetry(response, failure))
                {
                    throw failure;
                }
            }

            await Task.Delay(Backoff(attempt), cancellationToken);
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, string? body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, new Uri(_options.ApiBase.AbsoluteUri.TrimEnd('/') + "/v1/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.SecretKey);
        request.Headers.Add("Stripe-Version", _options.ApiVersion);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }

        return request;
    }

    // Stripe's own answer wins: it says false for a saved (replayed) failure and true when a retry can succeed.
    private static bool ShouldRetry(HttpResponseMessage response, StripeException failure) =>
        response.Headers.TryGetValues("Stripe-Should-Retry", out var values) && bool.TryParse(values.FirstOrDefault(), out var shouldRetry)
            ? shouldRetry
            : failure.IsRetryable;

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.InitialRetryDelay * Math.Pow(2, Math.Min(attempt, 16));
        var capped = exponential < _options.MaxRetryDelay ? exponential : _options.MaxRetryDelay;
        // Jitter spreads out clients that failed together so they do not retry together.
        return capped * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private static string Segment(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return Uri.EscapeDataString(id);
    }
}
