using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stripe;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.Payments.Simulated;

namespace TicketToken.Payments.Gateways;

/// <summary>
/// One <see cref="IStripeClient"/> for the module, on an <see cref="IHttpClientFactory"/> client wrapped in Stripe.net's
/// <see cref="SystemNetHttpClient"/> (whose network retries are the only retries). With the stripe gateway it talks to
/// <c>Stripe:ApiBase</c>; with the simulated one, to the Stripe-compatible server this module maps itself
/// (<see cref="SimulatedStripeApi"/>), reached by service invocation of the payments app, so both run the same client code.
/// </summary>
public static class StripeClientRegistration
{
    public const string HttpClientName = "stripe";

    public static IServiceCollection AddStripeGateway(this IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName, http => http.Timeout = SystemNetHttpClient.DefaultHttpTimeout)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOptions<PaymentsOptions>>().Value.UsesStripe
                // Renewed connections pick up DNS changes at Stripe, since the one client below lives as long as the host.
                ? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }
                : new PaymentsAppChannel(sp.GetRequiredKeyedService<IServiceInvoker>(PaymentsModule.Id)))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<IStripeClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PaymentsOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new StripeClient(new StripeClientOptions
            {
                ApiKey = options.StripeSecretKey,
                ApiBase = options.UsesStripe ? options.Stripe.ApiBase.AbsoluteUri.TrimEnd('/') : SimulatedStripeApi.ApiBase,
                HttpClient = new SystemNetHttpClient(http, options.Stripe.MaxNetworkRetries),
            });
        });
        services.AddSingleton<IPaymentGateway>(sp => new StripeGateway(sp.GetRequiredService<IStripeClient>(),
            sp.GetRequiredService<IOptions<PaymentsOptions>>().Value.UsesStripe ? PaymentsOptions.StripeGateway : PaymentsOptions.SimulatedGateway));
        return services;
    }

    /// <summary>
    /// Sends Stripe.net's requests to the payments app by service invocation (loopback in one process, the sidecar in Dapr
    /// mode). The invoker hands out an <see cref="HttpClient"/>, which refuses a request another client already sent, so
    /// each request is passed on as a copy with the same method, target, headers and content.
    /// </summary>
    private sealed class PaymentsAppChannel(IServiceInvoker invoker) : HttpMessageHandler
    {
        private readonly HttpClient _app = invoker.CreateHttpClient(PaymentsModule.Id);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
            foreach (var (name, values) in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(name, values);
            }

            return _app.SendAsync(copy, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _app.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
