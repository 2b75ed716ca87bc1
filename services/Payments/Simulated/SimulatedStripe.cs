using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Stripe;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Simulated;

/// <summary>What the simulated gateway answers: an HTTP status and the JSON body (an object, or <c>{"error": ...}</c>).</summary>
internal sealed record SimulatedAnswer(int Status, object Body, WireError? Failure = null)
{
    public static SimulatedAnswer Ok(object body) => new(200, body);

    public static SimulatedAnswer Error(int status, WireError error) => new(status, new { error }, error);
}

/// <summary>A request the gateway refuses before doing anything (bad parameters, unknown object): never saved under its idempotency key.</summary>
internal sealed class SimulatedRequestException(int status, WireError error) : Exception(error.Message)
{
    public SimulatedAnswer Answer { get; } = SimulatedAnswer.Error(status, error);

    public static SimulatedRequestException Invalid(string? param, string? code, string message) =>
        new(400, new WireError { Type = "invalid_request_error", Param = param, Code = code, Message = message });

    public static SimulatedRequestException Missing(string objectType, string id, string param = "id") =>
        new(404, new WireError { Type = "invalid_request_error", Code = "resource_missing", Param = param, Message = $"No such {objectType}: '{id}'" });
}

/// <summary>
/// Stripe's test mode for the objects we use, kept in our own schema (<c>simulated_objects</c>, as the JSON Stripe
/// renders): payment intents with Stripe's test cards, refunds, express accounts and their onboarding links, transfers.
/// Every change of state that our webhook endpoint subscribes to (payment_intent.succeeded, .payment_failed,
/// .requires_action, .canceled; refund.created, charge.refunded; account.updated; transfer.created) writes the event Stripe would send to the outbox in the caller's transaction, to be delivered
/// as a signed webhook (<see cref="Subscriptions.DeliverSimulatedWebhook"/>). The caller (<see cref="SimulatedStripeApi"/>
/// for Stripe.net's requests, <see cref="Apis.SimulatedGatewayApi"/> for the fan's browser) owns the transaction.
/// </summary>
internal sealed class SimulatedStripe(TimeProvider time)
{
    public const string PaymentIntentObject = "payment_intent";
    public const string RefundObject = "refund";
    public const string AccountObject = "account";
    public const string TransferObject = "transfer";

    private static readonly string[] Cancelable =
        [PaymentStatuses.RequiresPaymentMethod, "requires_confirmation", PaymentStatuses.RequiresAction, PaymentStatuses.Processing, "requires_capture"];

    private static readonly string[] CancellationReasons = ["abandoned", "duplicate", "fraudulent", "requested_by_customer"];
    private static readonly string[] RefundReasons = ["duplicate", "fraudulent", "requested_by_customer"];

    private DateTimeOffset Now => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());

    public SimulatedAnswer CreateIntent(PaymentsDbContext db, SimulatedForm form)
    {
        var amount = form.RequiredAmount("amount");
        var currency = form.RequiredCurrency();
        var id = NewId("pi");
        var intent = new WireIntent
        {
            Id = id,
            Amount = amount,
            Currency = currency,
            Status = PaymentStatuses.RequiresPaymentMethod,
            ClientSecret = $"{id}_secret_{Random(12)}",
            Metadata = form.Metadata(),
            Created = Now,
        };
        Add(db, intent.Id, PaymentIntentObject, intent, parentId: null);
        return SimulatedAnswer.Ok(intent);
    }

    public async Task<SimulatedAnswer> GetAsync<T>(PaymentsDbContext db, string objectType, string id, CancellationToken cancellationToken)
    {
        var row = await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id && o.ObjectType == objectType, cancellationToken)
            ?? throw SimulatedRequestException.Missing(objectType, id);
        return SimulatedAnswer.Ok(Read<T>(row)!);
    }

    /// <summary>
    /// A confirmation with a test card: succeeded; requires_action with a redirect to the gateway's authentication page; or
    /// declined, which leaves the intent in requires_payment_method with its last_payment_error (a new card may be tried)
    /// and answers 402 with the card_error, as Stripe does.
    /// </summary>
    public async Task<SimulatedAnswer> ConfirmAsync(PaymentsDbContext db, string intentId, TestCards.Behaviour card, string? paymentMethod, string? returnUrl,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var (row, intent) = await LockIntentAsync(db, intentId, cancellationToken);
        if (intent.Status is not (PaymentStatuses.RequiresPaymentMethod or "requires_confirmation"))
        {
            return SimulatedAnswer.Error(400, UnexpectedState(intent,
                $"This PaymentIntent's status is {intent.Status}, but it must be requires_payment_method or requires_confirmation to be confirmed."));
        }

        var attempt = intent with { PaymentMethod = paymentMethod ?? NewId("pm"), LastPaymentError = null, NextAction = null };
        switch (card)
        {
            case TestCards.Behaviour.Succeeds:
                return SimulatedAnswer.Ok(Succeed(db, row, attempt, idempotencyKey));
            case TestCards.Behaviour.RequiresAuthentication:
                var waiting = attempt with
                {
                    Status = PaymentStatuses.RequiresAction,
                    NextAction = new WireNextAction("redirect_to_url", new WireRedirect(SimulatedGatewayPaths.Authentication(intent.Id), returnUrl)),
                };
                Save(row, waiting);
                Emit(db, "payment_intent.requires_action", waiting, idempotencyKey);
                return SimulatedAnswer.Ok(waiting);
            default:
                var declined = Fail(db, row, attempt with { LatestCharge = NewId("ch") }, TestCards.Error(card), idempotencyKey);
                return SimulatedAnswer.Error(402, declined.LastPaymentError! with { PaymentIntent = declined });
        }
    }

    /// <summary>The fan completing (or abandoning) the 3-D Secure challenge of an intent in requires_action.</summary>
    public async Task<SimulatedAnswer> AuthenticateAsync(PaymentsDbContext db, string intentId, bool approve, CancellationToken cancellationToken)
    {
        var (row, intent) = await LockIntentAsync(db, intentId, cancellationToken);
        if (intent.Status != PaymentStatuses.RequiresAction)
        {
            return SimulatedAnswer.Error(400, UnexpectedState(intent, $"This PaymentIntent's status is {intent.Status}; there is no authentication to complete."));
        }

        if (approve)
        {
            return SimulatedAnswer.Ok(Succeed(db, row, intent with { NextAction = null }, idempotencyKey: null));
        }

        var failed = Fail(db, row, intent with { NextAction = null }, TestCards.AuthenticationFailure, idempotencyKey: null);
        return SimulatedAnswer.Error(402, failed.LastPaymentError! with { PaymentIntent = failed });
    }

    public async Task<SimulatedAnswer> CancelIntentAsync(PaymentsDbContext db, string intentId, SimulatedForm form, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var reason = form.OneOf("cancellation_reason", CancellationReasons);
        var (row, intent) = await LockIntentAsync(db, intentId, cancellationToken);
        if (!Cancelable.Contains(intent.Status))
        {
            return SimulatedAnswer.Error(400, UnexpectedState(intent,
                $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be canceled: {string.Join(", ", Cancelable)}."));
        }

        var canceled = intent with { Status = PaymentStatuses.Canceled, CancellationReason = reason, CanceledAt = Now, NextAction = null };
        Save(row, canceled);
        Emit(db, "payment_intent.canceled", canceled, idempotencyKey);
        return SimulatedAnswer.Ok(canceled);
    }

    public async Task<SimulatedAnswer> RefundAsync(PaymentsDbContext db, SimulatedForm form, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var intentId = form.Required("payment_intent");
        var requested = form.OptionalAmount("amount");
        var reason = form.OneOf("reason", RefundReasons);
        var (_, intent) = await LockIntentAsync(db, intentId, cancellationToken, param: "payment_intent");
        if (intent.Status != PaymentStatuses.Succeeded)
        {
            return SimulatedAnswer.Error(400, new WireError
            {
                Type = "invalid_request_error", Code = "charge_not_refundable", Param = "payment_intent",
                Message = $"This PaymentIntent ({intent.Id}) does not have a successful charge to refund.",
            });
        }

        var refunds = await db.SimulatedObjects.AsNoTracking().Where(o => o.ParentId == intent.Id && o.ObjectType == RefundObject).ToListAsync(cancellationToken);
        var refunded = refunds.Select(Read<WireRefund>).Where(r => r!.Status != "failed").Sum(r => r!.Amount);
        var amount = requested ?? intent.Amount - refunded;
        if (amount < 1 || refunded + amount > intent.Amount)
        {
            return SimulatedAnswer.Error(400, new WireError
            {
                Type = "invalid_request_error", Code = "amount_too_large", Param = "amount",
                Message = $"Refund amount ({amount}) is greater than unrefunded amount on charge ({intent.Amount - refunded}).",
            });
        }

        var refund = new WireRefund
        {
            Id = NewId("re"),
            Amount = amount,
            Currency = intent.Currency,
            Status = "succeeded",
            Charge = intent.LatestCharge,
            PaymentIntent = intent.Id,
            Reason = reason,
            Metadata = form.Metadata(),
            Created = Now,
        };
        Add(db, refund.Id, RefundObject, refund, parentId: intent.Id);
        Emit(db, "refund.created", refund, idempotencyKey);
        Emit(db, "charge.refunded", new WireCharge
        {
            Id = intent.LatestCharge ?? "", Amount = intent.Amount, AmountRefunded = refunded + amount, Currency = intent.Currency, PaymentIntent = intent.Id,
            Refunded = refunded + amount == intent.Amount, Metadata = intent.Metadata, Created = intent.Created,
        }, idempotencyKey);
        return SimulatedAnswer.Ok(refund);
    }

    public SimulatedAnswer CreateAccount(PaymentsDbContext db, SimulatedForm form)
    {
        var type = form.OneOf("type", ["express"]) ?? throw SimulatedRequestException.Invalid("type", "parameter_missing",
            "The simulated gateway makes express accounts only: send type=express.");
        var account = new WireAccount
        {
            Id = NewId("acct"),
            Type = type,
            Country = form.Optional("country"),
            Email = form.Optional("email"),
            Metadata = form.Metadata(),
            Created = Now,
        };
        Add(db, account.Id, AccountObject, account, parentId: null);
        return SimulatedAnswer.Ok(account);
    }

    /// <summary>The onboarding page lives in our own API, on the return URL's host (<see cref="SimulatedGatewayPaths.Onboarding"/>).</summary>
    public async Task<SimulatedAnswer> CreateAccountLinkAsync(PaymentsDbContext db, SimulatedForm form, CancellationToken cancellationToken)
    {
        var accountId = form.Required("account");
        form.OneOf("type", ["account_onboarding", "account_update"]);
        var returnUrl = form.RequiredUrl("return_url");
        form.RequiredUrl("refresh_url");
        if (!await db.SimulatedObjects.AnyAsync(o => o.Id == accountId && o.ObjectType == AccountObject, cancellationToken))
        {
            throw SimulatedRequestException.Missing(AccountObject, accountId, "account");
        }

        return SimulatedAnswer.Ok(new WireAccountLink
        {
            Url = new Uri(returnUrl, SimulatedGatewayPaths.Onboarding(accountId)).AbsoluteUri,
            Created = Now,
            ExpiresAt = Now.AddMinutes(5),
        });
    }

    /// <summary>The organizer finishing onboarding: the account can take charges and payouts, and account.updated says so.</summary>
    public async Task<WireAccount> CompleteOnboardingAsync(PaymentsDbContext db, string accountId, CancellationToken cancellationToken)
    {
        var row = await LockAsync(db, accountId, AccountObject, cancellationToken) ?? throw SimulatedRequestException.Missing(AccountObject, accountId);
        var account = Read<WireAccount>(row)! with { DetailsSubmitted = true, ChargesEnabled = true, PayoutsEnabled = true };
        Save(row, account);
        Emit(db, "account.updated", account, idempotencyKey: null);
        return account;
    }

    public async Task<SimulatedAnswer> TransferAsync(PaymentsDbContext db, SimulatedForm form, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var amount = form.RequiredAmount("amount");
        var currency = form.RequiredCurrency();
        var destination = form.Required("destination");
        var account = await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == destination && o.ObjectType == AccountObject, cancellationToken);
        if (account is null || !Read<WireAccount>(account)!.PayoutsEnabled)
        {
            return SimulatedAnswer.Error(400, new WireError
            {
                Type = "invalid_request_error", Code = "insufficient_capabilities_for_transfer", Param = "destination",
                Message = $"Your destination account ({destination}) needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments.",
            });
        }

        var transfer = new WireTransfer
        {
            Id = NewId("tr"),
            Amount = amount,
            Currency = currency,
            Destination = destination,
            TransferGroup = form.Optional("transfer_group"),
            SourceTransaction = form.Optional("source_transaction"),
            Metadata = form.Metadata(),
            Created = Now,
        };
        Add(db, transfer.Id, TransferObject, transfer, parentId: null);
        Emit(db, "transfer.created", transfer, idempotencyKey);
        return SimulatedAnswer.Ok(transfer);
    }

    /// <summary>The intent, if the fan (the buyer in its metadata) holds its client secret; compared in constant time.</summary>
    public static bool BelongsTo(WireIntent intent, string clientSecret, Guid buyerId)
    {
        var secretMatches = intent.ClientSecret is { } expected
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(clientSecret));
        var buyerMatches = !intent.Metadata.TryGetValue(PaymentMetadata.BuyerId, out var buyer) || buyer == buyerId.ToString();
        return secretMatches && buyerMatches;
    }

    public static async Task<WireIntent?> FindIntentAsync(PaymentsDbContext db, string intentId, CancellationToken cancellationToken) =>
        await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == intentId && o.ObjectType == PaymentIntentObject, cancellationToken) is { } row
            ? Read<WireIntent>(row)
            : null;

    public static async Task<WireAccount?> FindAccountAsync(PaymentsDbContext db, string accountId, CancellationToken cancellationToken) =>
        await db.SimulatedObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == accountId && o.ObjectType == AccountObject, cancellationToken) is { } row
            ? Read<WireAccount>(row)
            : null;

    private WireIntent Succeed(PaymentsDbContext db, SimulatedObject row, WireIntent intent, string? idempotencyKey)
    {
        var succeeded = intent with { Status = PaymentStatuses.Succeeded, AmountReceived = intent.Amount, LatestCharge = NewId("ch"), LastPaymentError = null };
        Save(row, succeeded);
        Emit(db, "payment_intent.succeeded", succeeded, idempotencyKey);
        return succeeded;
    }

    private WireIntent Fail(PaymentsDbContext db, SimulatedObject row, WireIntent intent, WireError error, string? idempotencyKey)
    {
        var failed = intent with { Status = PaymentStatuses.RequiresPaymentMethod, LastPaymentError = error };
        Save(row, failed);
        Emit(db, "payment_intent.payment_failed", failed, idempotencyKey);
        return failed;
    }

    private static WireError UnexpectedState(WireIntent intent, string message) => new()
    {
        Type = "invalid_request_error", Code = "payment_intent_unexpected_state", Message = message, PaymentIntent = intent,
    };

    private static async Task<(SimulatedObject Row, WireIntent Intent)> LockIntentAsync(PaymentsDbContext db, string intentId, CancellationToken cancellationToken,
        string param = "intent")
    {
        var row = await LockAsync(db, intentId, PaymentIntentObject, cancellationToken) ?? throw SimulatedRequestException.Missing(PaymentIntentObject, intentId, param);
        return (row, Read<WireIntent>(row)!);
    }

    private static async Task<SimulatedObject?> LockAsync(PaymentsDbContext db, string id, string objectType, CancellationToken cancellationToken) =>
        await db.SimulatedObjects.FromSql($"select * from payments.simulated_objects where id = {id} and object = {objectType} for update")
            .SingleOrDefaultAsync(cancellationToken);

    private void Add(PaymentsDbContext db, string id, string objectType, object body, string? parentId) =>
        db.SimulatedObjects.Add(new SimulatedObject { Id = id, ObjectType = objectType, ParentId = parentId, Body = Write(body), CreatedAt = time.GetUtcNow() });

    private static void Save(SimulatedObject row, object body) => row.Body = Write(body);

    /// <summary>Queues the event Stripe would send, in the transaction of the change it reports, in the API version Stripe.net pins.</summary>
    private void Emit(PaymentsDbContext db, string type, object dataObject, string? idempotencyKey)
    {
        var id = NewId("evt");
        var payload = JsonSerializer.Serialize(new WireEvent(id, "event", StripeConfiguration.ApiVersion, Now, Livemode: false, type, PendingWebhooks: 1,
            new WireEventRequest(NewId("req"), idempotencyKey), new WireEventData(JsonSerializer.SerializeToElement(dataObject, dataObject.GetType(), StripeJson.Options))),
            StripeJson.Options);
        db.Publish(SimulatedWebhook.Topic, new SimulatedWebhook(id, type, payload));
    }

    internal static T? Read<T>(SimulatedObject row) => JsonSerializer.Deserialize<T>(row.Body, StripeJson.Options);

    private static string Write(object value) => JsonSerializer.Serialize(value, value.GetType(), StripeJson.Options);

    /// <summary>Stripe's id shapes (<c>pi_...</c>) with <c>sim</c> in them, so a simulated object is never mistaken for Stripe's.</summary>
    private static string NewId(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}_sim_{Random(12)}");

    private static string Random(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}

/// <summary>The fan's and organizer's pages of the simulated gateway (what Stripe.js and Stripe's hosted pages are at Stripe).</summary>
internal static class SimulatedGatewayPaths
{
    public const string Prefix = "/api/payments/simulated";

    public static string Authentication(string intentId) => $"{Prefix}/payment-intents/{Uri.EscapeDataString(intentId)}/authenticate";

    public static string Onboarding(string accountId) => $"{Prefix}/accounts/{Uri.EscapeDataString(accountId)}/onboarding";
}
