namespace TicketToken.Payments.Simulated;

/// <summary>
/// Stripe's test cards and what the simulated gateway does with each: as a card number (the fan's browser step) or as
/// Stripe's test PaymentMethod id (a server-side confirmation, which also works at Stripe in test mode).
/// </summary>
public static class TestCards
{
    public const string Succeeds = "4242424242424242";
    public const string Declined = "4000000000000002";
    public const string InsufficientFunds = "4000000000009995";
    public const string RequiresAuthentication = "4000002500003155";

    public const string SucceedsMethod = "pm_card_visa";
    public const string DeclinedMethod = "pm_card_chargeDeclined";
    public const string InsufficientFundsMethod = "pm_card_chargeDeclinedInsufficientFunds";
    public const string RequiresAuthenticationMethod = "pm_card_authenticationRequired";

    public enum Behaviour
    {
        Succeeds,
        RequiresAuthentication,
        Declined,
        InsufficientFunds,
        IncorrectNumber,
    }

    /// <summary>Spaces and dashes are ignored, as a card field would; any other number is declined as incorrect.</summary>
    public static Behaviour Of(string cardNumber) => new string([.. cardNumber.Where(char.IsAsciiDigit)]) switch
    {
        Succeeds => Behaviour.Succeeds,
        RequiresAuthentication => Behaviour.RequiresAuthentication,
        Declined => Behaviour.Declined,
        InsufficientFunds => Behaviour.InsufficientFunds,
        _ => Behaviour.IncorrectNumber,
    };

    /// <summary>The behaviour of one of Stripe's test PaymentMethod ids; null for an id the gateway does not know.</summary>
    public static Behaviour? OfPaymentMethod(string paymentMethod) => paymentMethod switch
    {
        SucceedsMethod => Behaviour.Succeeds,
        DeclinedMethod => Behaviour.Declined,
        InsufficientFundsMethod => Behaviour.InsufficientFunds,
        RequiresAuthenticationMethod => Behaviour.RequiresAuthentication,
        _ => null,
    };

    /// <summary>Stripe's answer to a failed or abandoned 3-D Secure challenge.</summary>
    internal static WireError AuthenticationFailure { get; } = new()
    {
        Type = "invalid_request_error",
        Code = "payment_intent_authentication_failure",
        Message = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    };

    internal static WireError Error(Behaviour decline) => decline switch
    {
        Behaviour.Declined => Card("card_declined", "generic_decline", "Your card was declined."),
        Behaviour.InsufficientFunds => Card("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        _ => Card("incorrect_number", null, "Your card number is incorrect."),
    };

    private static WireError Card(string code, string? declineCode, string message) =>
        new() { Type = "card_error", Code = code, DeclineCode = declineCode, Message = message };
}
