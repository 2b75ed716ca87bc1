using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Gateways;

/// <summary>
/// Stripe's test mode, kept in our own database: payment intents (<c>pi_sim_...</c>), refunds, Connect accounts and
/// transfers are stored as the JSON Stripe would render, writes are idempotent per key, and every change of state
/// emits the event Stripe would send, delivered as a signed webhook to our own endpoint through the outbox. The fan's
/// browser step is <see cref="ConfirmAsync"/>, where <see cref="TestCards"/> decide the outcome.
/// </summary>
public sealed class SimulatedGateway(IServiceScopeFactory scopes, TimeProvider time) : IPaymentGateway
{
    private const string PaymentIntentObject = "payment_intent";
    private const string RefundObject = "refund";
    private const string AccountObject = "account";
    private const string TransferObject = "transfer";

    private static readonly string[] Cancelable =
        [PaymentStatuses.RequiresPaymentMethod, "requires_confirmation", PaymentStatuses.RequiresAction, PaymentStatuses.Processing, "requires_capture"];

    public string Name => PaymentsOptions.SimulatedGateway;

    private DateTimeOffset Now => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());

    public Task<StripePaymentIntent> CreateIntentAsync(CreatePaymentIntent request, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (request.Amount < 1)
        {
            throw Invalid("amount", "parameter_invalid_integer", "This value must be greater than or equal to 1.");
        }

        return CreateOnceAsync(PaymentIntentObject, idempotencyKey, db =>
        {
            var id = NewId("pi_sim");
            var intent = new StripePaymentIntent
            {
                Id = id,
                ObjectType = PaymentIntentObject,
                Amount = request.Amount,
                Currency = request.Currency.ToLowerInvariant(),
                Status = PaymentStatuses.RequiresPaymentMethod,
                ClientSecret = $"{id}_secret_{Random(12)}",
                Metadata = request.Metadata ?? new Dictionary<string, string>(),
                TransferGroup = request.TransferGroup,
                Created = Now,
            };
            return Task.FromResult((intent, intent.Id, (string?)null));
        }, cancellationToken);
    }

    public async Task<StripePaymentIntent> GetIntentAsync(string intentId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var row = await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == intentId && o.ObjectType == PaymentIntentObject, cancellationToken);
        return row is null ? throw Missing(PaymentIntentObject, intentId) : Read<StripePaymentIntent>(row);
    }

    public Task<StripePaymentIntent> CancelIntentAsync(string intentId, string cancellationReason, string idempotencyKey, CancellationToken cancellationToken = default) =>
        ChangeIntentAsync(intentId, (db, intent) =>
        {
            if (intent.Status == PaymentStatuses.Canceled)
            {
                return intent; // what a retry with the same idempotency key would be answered
            }

            if (!Cancelable.Contains(intent.Status))
            {
                throw Invalid(null, "payment_intent_unexpected_state",
                    $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be canceled: {string.Join(", ", Cancelable)}.");
            }

            var canceled = intent with { Status = PaymentStatuses.Canceled, CancellationReason = cancellationReason };
            Emit(db, "payment_intent.canceled", canceled);
            return canceled;
        }, cancellationToken);

    /// <summary>
    /// The fan's browser confirming the payment with a card (Stripe.js's confirmCardPayment): the card decides. A decline
    /// leaves the intent in requires_payment_method with its <c>last_payment_error</c>, as Stripe does.
    /// </summary>
    /// <exception cref="SimulatedIntentException">The intent is not this fan's, the client secret is wrong, or it cannot be confirmed now.</exception>
    public Task<StripePaymentIntent> ConfirmAsync(string intentId, string clientSecret, string cardNumber, Guid buyerId, CancellationToken cancellationToken = default) =>
        ChangeIntentAsync(intentId, (db, intent) =>
        {
            Authorize(intent, clientSecret, buyerId);
            if (intent.Status is not (PaymentStatuses.RequiresPaymentMethod or "requires_confirmation"))
            {
                throw new SimulatedIntentException(SimulatedIntentFailure.UnexpectedState, $"The payment is {intent.Status} and cannot be confirmed again.");
            }

            var charge = NewId("ch_sim");
            return TestCards.Of(cardNumber) switch
            {
                TestCards.Behaviour.Succeeds => Succeed(db, intent with { LatestCharge = charge }),
                TestCards.Behaviour.RequiresAuthentication => Emitted(db, "payment_intent.requires_action", intent with { Status = PaymentStatuses.RequiresAction, LastPaymentError = null }),
                var decline => Fail(db, intent with { LatestCharge = charge }, TestCards.Error(decline)),
            };
        }, cancellationToken);

    /// <summary>The fan approving or failing the 3-D Secure challenge of an intent in requires_action.</summary>
    public Task<StripePaymentIntent> AuthenticateAsync(string intentId, string clientSecret, bool approve, Guid buyerId, CancellationToken cancellationToken = default) =>
        ChangeIntentAsync(intentId, (db, intent) =>
        {
            Authorize(intent, clientSecret, buyerId);
            if (intent.Status != PaymentStatuses.RequiresAction)
            {
                throw new SimulatedIntentException(SimulatedIntentFailure.UnexpectedState, $"The payment is {intent.Status}; there is no authentication to complete.");
            }

            var charge = NewId("ch_sim");
            return approve
                ? Succeed(db, intent with { LatestCharge = charge })
                : Fail(db, intent with { LatestCharge = charge }, TestCards.AuthenticationFailure);
        }, cancellationToken);

    public Task<StripeRefund> RefundAsync(CreateRefund request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CreateOnceAsync(RefundObject, idempotencyKey, async db =>
        {
            var intent = await LockIntentAsync(db, request.PaymentIntent, cancellationToken);
            if (intent.Status != PaymentStatuses.Succeeded)
            {
                throw Invalid("payment_intent", "charge_not_refundable", $"This PaymentIntent ({intent.Id}) does not have a successful charge to refund.");
            }

            var refunded = await RefundedAsync(db, intent.Id, cancellationToken);
            var amount = request.Amount ?? intent.Amount - refunded;
            if (amount < 1 || refunded + amount > intent.Amount)
            {
                throw Invalid("amount", "amount_too_large", $"Refund amount ({amount}) is greater than unrefunded amount on charge ({intent.Amount - refunded}).");
            }

            var refund = new StripeRefund
            {
                Id = NewId("re_sim"),
                ObjectType = RefundObject,
                Amount = amount,
                Currency = intent.Currency,
                Status = "succeeded",
                PaymentIntent = intent.Id,
                Reason = request.Reason,
                Metadata = request.Metadata ?? new Dictionary<string, string>(),
                Created = Now,
            };
            Emit(db, "charge.refunded", new SimulatedCharge(intent.LatestCharge ?? "", "charge", intent.Amount, refunded + amount, intent.Currency,
                intent.Id, refunded + amount == intent.Amount, "succeeded", intent.Metadata, intent.Created));
            Emit(db, "refund.created", refund);
            return (refund, refund.Id, intent.Id);
        }, cancellationToken);

    public Task<StripeAccount> CreateConnectAccountAsync(CreateExpressAccount request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CreateOnceAsync(AccountObject, idempotencyKey, _ =>
        {
            var account = new StripeAccount { Id = NewId("acct_sim"), ObjectType = AccountObject, Metadata = request.Metadata ?? new Dictionary<string, string>() };
            return Task.FromResult((account, account.Id, (string?)null));
        }, cancellationToken);

    public async Task<StripeAccount> GetConnectAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var row = await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == accountId && o.ObjectType == AccountObject, cancellationToken);
        return row is null ? throw Missing(AccountObject, accountId) : Read<StripeAccount>(row);
    }

    /// <summary>The simulated onboarding page lives in our API (<c>POST .../simulated/accounts/{id}/onboarding</c>) on the return URL's host.</summary>
    public async Task<StripeAccountLink> CreateOnboardingLinkAsync(string accountId, Uri refreshUrl, Uri returnUrl, CancellationToken cancellationToken = default)
    {
        await GetConnectAccountAsync(accountId, cancellationToken);
        return new StripeAccountLink
        {
            ObjectType = "account_link",
            Url = new Uri(returnUrl, $"/api/payments/simulated/accounts/{Uri.EscapeDataString(accountId)}/onboarding"),
            Created = Now,
            ExpiresAt = Now.AddMinutes(5),
        };
    }

    /// <summary>The organizer finishing onboarding: the account can take charges and payouts, and account.updated says so.</summary>
    public async Task<StripeAccount> CompleteOnboardingAsync(string accountId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await LockAsync(db, accountId, AccountObject, cancellationToken);
        var account = Read<StripeAccount>(row) with { DetailsSubmitted = true, ChargesEnabled = true, PayoutsEnabled = true };
        row.Body = Write(account);
        Emit(db, "account.updated", account);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return account;
    }

    public Task<StripeTransfer> TransferAsync(CreateTransfer request, string idempotencyKey, CancellationToken cancellationToken = default) =>
        CreateOnceAsync(TransferObject, idempotencyKey, async db =>
        {
            var destination = await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == request.Destination && o.ObjectType == AccountObject, cancellationToken);
            if (destination is null || !Read<StripeAccount>(destination).PayoutsEnabled)
            {
                throw Invalid("destination", "insufficient_capabilities_for_transfer",
                    $"Your destination account ({request.Destination}) needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments.");
            }

            var transfer = new StripeTransfer
            {
                Id = NewId("tr_sim"),
                ObjectType = TransferObject,
                Amount = request.Amount,
                Currency = request.Currency.ToLowerInvariant(),
                Destination = request.Destination,
                TransferGroup = request.TransferGroup,
                Metadata = request.Metadata ?? new Dictionary<string, string>(),
                Created = Now,
            };
            return (transfer, transfer.Id, (string?)null);
        }, cancellationToken);

    /// <summary>
    /// Makes an object once per idempotency key: a repeated key answers what the first request made (as Stripe replays
    /// the saved response). Requests with one key wait for each other, so two concurrent ones make one object.
    /// </summary>
    private async Task<T> CreateOnceAsync<T>(string objectType, string idempotencyKey, Func<PaymentsDbContext, Task<(T Object, string Id, string? ParentId)>> create,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var lockKey = $"{objectType}:{idempotencyKey}";
        await db.Database.ExecuteSqlAsync($"select pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", cancellationToken);
        var replay = await db.SimulatedObjects.AsNoTracking()
            .SingleOrDefaultAsync(o => o.ObjectType == objectType && o.IdempotencyKey == idempotencyKey, cancellationToken);
        if (replay is not null)
        {
            return Read<T>(replay);
        }

        var (made, id, parentId) = await create(db);
        db.SimulatedObjects.Add(new SimulatedObject
        {
            Id = id, ObjectType = objectType, IdempotencyKey = idempotencyKey, ParentId = parentId, Body = Write(made), CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return made;
    }

    private async Task<StripePaymentIntent> ChangeIntentAsync(string intentId, Func<PaymentsDbContext, StripePaymentIntent, StripePaymentIntent> change, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await LockAsync(db, intentId, PaymentIntentObject, cancellationToken);
        var changed = change(db, Read<StripePaymentIntent>(row));
        row.Body = Write(changed);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    private async Task<StripePaymentIntent> LockIntentAsync(PaymentsDbContext db, string intentId, CancellationToken cancellationToken) =>
        Read<StripePaymentIntent>(await LockAsync(db, intentId, PaymentIntentObject, cancellationToken));

    private static async Task<SimulatedObject> LockAsync(PaymentsDbContext db, string id, string objectType, CancellationToken cancellationToken) =>
        await db.SimulatedObjects.FromSql($"select * from payments.simulated_objects where id = {id} and object = {objectType} for update")
            .SingleOrDefaultAsync(cancellationToken)
        ?? throw Missing(objectType, id);

    private static async Task<long> RefundedAsync(PaymentsDbContext db, string intentId, CancellationToken cancellationToken)
    {
        var refunds = await db.SimulatedObjects.AsNoTracking().Where(o => o.ParentId == intentId && o.ObjectType == RefundObject).ToListAsync(cancellationToken);
        return refunds.Select(Read<StripeRefund>).Where(r => r.Status != "failed").Sum(r => r.Amount);
    }

    private StripePaymentIntent Succeed(PaymentsDbContext db, StripePaymentIntent intent) =>
        Emitted(db, "payment_intent.succeeded", intent with { Status = PaymentStatuses.Succeeded, LastPaymentError = null });

    private StripePaymentIntent Fail(PaymentsDbContext db, StripePaymentIntent intent, StripeError error) =>
        Emitted(db, "payment_intent.payment_failed", intent with { Status = PaymentStatuses.RequiresPaymentMethod, LastPaymentError = error });

    private StripePaymentIntent Emitted(PaymentsDbContext db, string type, StripePaymentIntent intent)
    {
        Emit(db, type, intent);
        return intent;
    }

    /// <summary>Queues the event Stripe would send, in the transaction of the change it reports.</summary>
    private void Emit(PaymentsDbContext db, string type, object dataObject)
    {
        var id = NewId("evt_sim");
        var payload = JsonSerializer.Serialize(new WireEvent(id, "event", StripeOptions.PinnedApiVersion, Now, Livemode: false, type, PendingWebhooks: 1,
            new WireRequest(null, null), new WireData(JsonSerializer.SerializeToElement(dataObject, StripeJson.Options))), StripeJson.Options);
        db.Publish(SimulatedWebhook.Topic, new SimulatedWebhook(id, type, payload));
    }

    private static void Authorize(StripePaymentIntent intent, string clientSecret, Guid buyerId)
    {
        var secretMatches = intent.ClientSecret is { } expected
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(clientSecret));
        var buyerMatches = !intent.Metadata.TryGetValue(PaymentMetadata.BuyerId, out var buyer) || buyer == buyerId.ToString();
        if (!secretMatches || !buyerMatches)
        {
            throw new SimulatedIntentException(SimulatedIntentFailure.NotFound, "There is no such payment of yours.");
        }
    }

    private static T Read<T>(SimulatedObject row) => JsonSerializer.Deserialize<T>(row.Body, StripeJson.Options)!;

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, StripeJson.Options);

    private static string NewId(string prefix) => $"{prefix}_{Random(12)}";

    private static string Random(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static StripeException Invalid(string? param, string code, string message) =>
        new(message, StripeErrorKind.InvalidRequest, HttpStatusCode.BadRequest, new StripeError { Type = "invalid_request_error", Code = code, Param = param, Message = message });

    private static StripeException Missing(string objectType, string id) =>
        new($"No such {objectType}: '{id}'", StripeErrorKind.InvalidRequest, HttpStatusCode.NotFound,
            new StripeError { Type = "invalid_request_error", Code = "resource_missing", Param = "id", Message = $"No such {objectType}: '{id}'" });

    private sealed record WireEvent(string Id, [property: JsonPropertyName("object")] string ObjectType, string ApiVersion, DateTimeOffset Created, bool Livemode,
        string Type, int PendingWebhooks, WireRequest Request, WireData Data);

    private sealed record WireRequest(string? Id, string? IdempotencyKey);

    private sealed record WireData([property: JsonPropertyName("object")] JsonElement Object);

    /// <summary>The parts of a Charge that charge.refunded carries and we render.</summary>
    private sealed record SimulatedCharge(string Id, [property: JsonPropertyName("object")] string ObjectType, long Amount, long AmountRefunded, string Currency,
        string PaymentIntent, bool Refunded, string Status, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset Created);
}

public enum SimulatedIntentFailure
{
    NotFound,
    UnexpectedState,
}

/// <summary>The fan's step on a simulated payment cannot be taken: not theirs (or a wrong secret), or not in a state that allows it.</summary>
public sealed class SimulatedIntentException(SimulatedIntentFailure failure, string message) : Exception(message)
{
    public SimulatedIntentFailure Failure { get; } = failure;
}
