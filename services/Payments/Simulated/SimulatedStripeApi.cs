using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using TicketToken.Payments.Data;

namespace TicketToken.Payments.Simulated;

/// <summary>
/// The simulated gateway as a Stripe-compatible server, for exactly the calls the payments module makes through
/// Stripe.net (<c>StripeClientOptions.ApiBase</c> = <see cref="ApiBase"/>): form-encoded requests, Stripe's JSON and
/// error objects, the secret key as bearer token, the pinned <c>Stripe-Version</c>, and <c>Idempotency-Key</c> as Stripe
/// documents it: the same key with the same parameters gets the first answer again (<c>Idempotent-Replayed: true</c>),
/// with other parameters a 400 <c>idempotency_error</c>. Mapped only when the simulated gateway is configured, which
/// the host refuses in Production.
/// </summary>
internal static class SimulatedStripeApi
{
    /// <summary>Where Stripe.net sends the simulated gateway's requests: the payments app itself, by service invocation.</summary>
    public const string ApiBase = "http://" + PaymentsModule.Id + Prefix;

    public const string Prefix = "/api/payments/simulated/stripe";

    public static RouteGroupBuilder MapSimulatedStripeApi(this IEndpointRouteBuilder app)
    {
        // Anonymous for the host's JWT scheme on purpose: like Stripe, this server authenticates the secret key (checked
        // first in every handler). It is Stripe's API, not ours, so it stays out of the OpenAPI document.
        var group = app.MapGroup(Prefix + "/v1").AllowAnonymous().ExcludeFromDescription();
        group.MapPost("/payment_intents", (HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, key, _) => Task.FromResult(server.Stripe.CreateIntent(db, form))))
            .WithName("SimulatedStripeCreatePaymentIntent").WithSummary("Stripe's POST /v1/payment_intents, simulated.");
        group.MapGet("/payment_intents/{id}", (string id, HttpContext http, Server server) =>
            server.WriteAsync(http, (db, _, _, ct) => server.Stripe.GetAsync<WireIntent>(db, SimulatedStripe.PaymentIntentObject, id, ct)))
            .WithName("SimulatedStripeGetPaymentIntent").WithSummary("Stripe's GET /v1/payment_intents/{id}, simulated.");
        group.MapPost("/payment_intents/{id}/confirm", (string id, HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, key, ct) =>
            {
                var method = form.Required("payment_method");
                var card = TestCards.OfPaymentMethod(method) ?? throw SimulatedRequestException.Missing("payment_method", method, "payment_method");
                return server.Stripe.ConfirmAsync(db, id, card, method, form.Optional("return_url"), key, ct);
            }))
            .WithName("SimulatedStripeConfirmPaymentIntent").WithSummary("Stripe's POST /v1/payment_intents/{id}/confirm with a test PaymentMethod (pm_card_visa, pm_card_chargeDeclined, ...), simulated.");
        group.MapPost("/payment_intents/{id}/cancel", (string id, HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, key, ct) => server.Stripe.CancelIntentAsync(db, id, form, key, ct)))
            .WithName("SimulatedStripeCancelPaymentIntent").WithSummary("Stripe's POST /v1/payment_intents/{id}/cancel, simulated.");
        group.MapPost("/refunds", (HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, key, ct) => server.Stripe.RefundAsync(db, form, key, ct)))
            .WithName("SimulatedStripeCreateRefund").WithSummary("Stripe's POST /v1/refunds, simulated.");
        group.MapGet("/refunds/{id}", (string id, HttpContext http, Server server) =>
            server.WriteAsync(http, (db, _, _, ct) => server.Stripe.GetAsync<WireRefund>(db, SimulatedStripe.RefundObject, id, ct)))
            .WithName("SimulatedStripeGetRefund").WithSummary("Stripe's GET /v1/refunds/{id}, simulated.");
        group.MapPost("/accounts", (HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, _, _) => Task.FromResult(server.Stripe.CreateAccount(db, form))))
            .WithName("SimulatedStripeCreateAccount").WithSummary("Stripe's POST /v1/accounts (express), simulated.");
        group.MapGet("/accounts/{id}", (string id, HttpContext http, Server server) =>
            server.WriteAsync(http, (db, _, _, ct) => server.Stripe.GetAsync<WireAccount>(db, SimulatedStripe.AccountObject, id, ct)))
            .WithName("SimulatedStripeGetAccount").WithSummary("Stripe's GET /v1/accounts/{id}, simulated.");
        group.MapPost("/account_links", (HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, _, ct) => server.Stripe.CreateAccountLinkAsync(db, form, ct)))
            .WithName("SimulatedStripeCreateAccountLink").WithSummary("Stripe's POST /v1/account_links, simulated.");
        group.MapPost("/transfers", (HttpContext http, Server server) =>
            server.WriteAsync(http, (db, form, key, ct) => server.Stripe.TransferAsync(db, form, key, ct)))
            .WithName("SimulatedStripeCreateTransfer").WithSummary("Stripe's POST /v1/transfers, simulated.");
        return group;
    }

    /// <summary>One request's handling: authentication, version, parameters, and idempotency around the operation.</summary>
    internal sealed class Server(SimulatedStripe stripe, PaymentsDbContext db, IOptions<PaymentsOptions> options, TimeProvider time)
    {
        public SimulatedStripe Stripe { get; } = stripe;

        public async Task WriteAsync(HttpContext http, Func<PaymentsDbContext, SimulatedForm, string?, CancellationToken, Task<SimulatedAnswer>> operation)
        {
            var request = http.Request;
            http.Response.Headers["Request-Id"] = "req_sim_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var refusal = Authenticate(request) ?? CheckVersion(request);
            if (refusal is not null)
            {
                await WriteAsync(http.Response, refusal, replayed: false);
                return;
            }

            SimulatedForm form;
            try
            {
                form = request.HasFormContentType ? new SimulatedForm(await request.ReadFormAsync(http.RequestAborted)) : SimulatedForm.Empty;
            }
            catch (InvalidDataException e)
            {
                // Over the form reader's limits, or not a form at all: Stripe answers such a body with a 400 too.
                await WriteAsync(http.Response, SimulatedRequestException.Invalid(null, "parameter_invalid_string", e.Message).Answer, replayed: false);
                return;
            }

            var key = HttpMethods.IsPost(request.Method) ? request.Headers["Idempotency-Key"].ToString() : "";
            var (answer, replayed) = await AnswerAsync(request, form, key.Length == 0 ? null : key, operation, http.RequestAborted);
            http.Response.Headers["Stripe-Version"] = StripeConfiguration.ApiVersion;
            if (key.Length > 0)
            {
                http.Response.Headers["Idempotency-Key"] = key;
            }

            await WriteAsync(http.Response, answer, replayed);
        }

        private async Task<(SimulatedAnswer Answer, bool Replayed)> AnswerAsync(HttpRequest request, SimulatedForm form, string? key,
            Func<PaymentsDbContext, SimulatedForm, string?, CancellationToken, Task<SimulatedAnswer>> operation, CancellationToken cancellationToken)
        {
            if (key?.Length > 255)
            {
                return (SimulatedRequestException.Invalid(null, null, "Idempotency keys are at most 255 characters long.").Answer, false);
            }

            var fingerprint = $"{request.Method} {request.Path}?{form.Canonical}";
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (key is not null)
            {
                // Requests with one key take turns here, so a concurrent retry gets the first one's saved answer.
                var lockKey = "simulated-stripe:" + key;
                await db.Database.ExecuteSqlAsync($"select pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", cancellationToken);
                var saved = await db.SimulatedRequests.AsNoTracking().SingleOrDefaultAsync(r => r.IdempotencyKey == key, cancellationToken);
                if (saved is not null)
                {
                    return saved.Fingerprint == fingerprint
                        ? (new SimulatedAnswer(saved.Status, JsonDocument.Parse(saved.Body).RootElement.Clone()), true)
                        : (SimulatedAnswer.Error(400, new WireError
                        {
                            Type = "idempotency_error",
                            Message = $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.",
                        }), false);
                }
            }

            SimulatedAnswer answer;
            try
            {
                answer = await operation(db, form, key, cancellationToken);
            }
            catch (SimulatedRequestException refused)
            {
                // Refused before anything happened: not saved, so the same key may be used again with good parameters.
                return (refused.Answer, false);
            }

            if (key is not null)
            {
                db.SimulatedRequests.Add(new SimulatedRequest
                {
                    IdempotencyKey = key, Fingerprint = fingerprint, Status = answer.Status, Body = Serialize(answer.Body), CreatedAt = time.GetUtcNow(),
                });
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (answer, false);
        }

        private SimulatedAnswer? Authenticate(HttpRequest request)
        {
            var given = SecretKeyOf(request.Headers.Authorization.ToString());
            var expected = options.Value.StripeSecretKey;
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected))
                ? null
                : SimulatedAnswer.Error(401, new WireError
                {
                    Type = "invalid_request_error",
                    Message = given.Length == 0
                        ? "You did not provide an API key. Provide it in the Authorization header as a bearer token."
                        : "Invalid API Key provided: this simulated gateway takes TicketToken:Payments:Stripe:SecretKey (its development key when unset).",
                });
        }

        /// <summary>As at Stripe: <c>Bearer sk_...</c> (Stripe.net), or HTTP Basic with the key as user name (<c>curl -u sk_...:</c>).</summary>
        private static string SecretKeyOf(string header)
        {
            if (header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return header["Bearer ".Length..];
            }

            if (!header.StartsWith("Basic ", StringComparison.Ordinal))
            {
                return "";
            }

            try
            {
                var user = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
                return user.Split(':', 2)[0];
            }
            catch (FormatException)
            {
                return "";
            }
        }

        /// <summary>Like stripe-mock's strict mode: an answer in another version's shapes would only mislead the client.</summary>
        private static SimulatedAnswer? CheckVersion(HttpRequest request) =>
            request.Headers["Stripe-Version"].ToString() is { Length: > 0 } version && version != StripeConfiguration.ApiVersion
                ? SimulatedAnswer.Error(400, new WireError
                {
                    Type = "invalid_request_error", Code = "api_version_invalid",
                    Message = $"The simulated gateway speaks API version {StripeConfiguration.ApiVersion} (the one Stripe.net pins), not {version}.",
                })
                : null;

        private static async Task WriteAsync(HttpResponse response, SimulatedAnswer answer, bool replayed)
        {
            response.StatusCode = answer.Status;
            if (replayed)
            {
                response.Headers["Idempotent-Replayed"] = "true";
            }

            response.ContentType = "application/json";
            await response.WriteAsync(Serialize(answer.Body));
        }

        private static string Serialize(object body) => JsonSerializer.Serialize(body, body.GetType(), StripeJson.Options);
    }
}

/// <summary>
/// A form-encoded Stripe request as ASP.NET Core's form reader parsed it: Stripe's nested parameters arrive as
/// bracketed keys (<c>metadata[order_id]</c>), which is all the parameters we use need.
/// </summary>
internal sealed class SimulatedForm(IFormCollection form)
{
    public static SimulatedForm Empty { get; } = new(FormCollection.Empty);

    /// <summary>Every parameter, sorted, to tell a retry from another request under the same idempotency key.</summary>
    public string Canonical => string.Join('&', form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value.ToString())}"));

    public string? Optional(string name) => form.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } text ? text : null;

    public string Required(string name) => Optional(name) ?? throw Missing(name);

    public long RequiredAmount(string name) => OptionalAmount(name) ?? throw Missing(name);

    public long? OptionalAmount(string name)
    {
        if (Optional(name) is not { } text)
        {
            return null;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount) && amount >= 1
            ? amount
            : throw SimulatedRequestException.Invalid(name, "parameter_invalid_integer", $"Invalid {name}: must be a positive integer in the currency's smallest unit.");
    }

    public string RequiredCurrency()
    {
        var currency = Required("currency");
        return currency.Length == 3 && currency.All(char.IsAsciiLetter)
            ? currency.ToLowerInvariant()
            : throw SimulatedRequestException.Invalid("currency", "parameter_invalid_string", $"Invalid currency: {currency}. Stripe takes three-letter ISO codes.");
    }

    public Uri RequiredUrl(string name) =>
        Uri.TryCreate(Required(name), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw SimulatedRequestException.Invalid(name, "url_invalid", $"Invalid URL: {name} must be an absolute http(s) URL.");

    /// <summary>The parameter when present, which must then be one of <paramref name="allowed"/>.</summary>
    public string? OneOf(string name, IReadOnlyCollection<string> allowed) =>
        Optional(name) is not { } value || allowed.Contains(value)
            ? Optional(name)
            : throw SimulatedRequestException.Invalid(name, "parameter_invalid_string", $"Invalid {name}: must be one of {string.Join(", ", allowed)}.");

    /// <summary><c>metadata[key]=value</c> pairs; an empty value unsets a key, as at Stripe.</summary>
    public IReadOnlyDictionary<string, string> Metadata() =>
        form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']') && f.Value.ToString().Length > 0)
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value.ToString(), StringComparer.Ordinal);

    private static SimulatedRequestException Missing(string name) =>
        SimulatedRequestException.Invalid(name, "parameter_missing", $"Missing required param: {name}.");
}
