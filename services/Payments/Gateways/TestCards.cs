using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Gateways;

/// <summary>Stripe's test card numbers and what the simulated gateway does with each (any other number is declined as incorrect).</summary>
public static class TestCards
{
    public const string Succeeds = "4242424242424242";
    public const string Declined = "4000000000000002";
    public const string InsufficientFunds = "4000000000009995";
    public const string RequiresAuthentication = "4000002500003155";

    public enum Behaviour
    {
        Succeeds,
        RequiresAuthentication,
        Declined,
        InsufficientFunds,
        IncorrectNumber,
    }

    /// <summary>Stripe's answer to a failed 3-D Secure challenge.</summary>
    public static StripeError AuthenticationFailure { get; } = new()
    {
        Type = "invalid_request_error",
        Code = "payment_intent_authentication_failure",
        Message = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    };

    /// <summary>Spaces and dashes are ignored, as a card field would.</summary>
    public static Behaviour Of(string cardNumber) => new string([.. cardNumber.Where(char.IsAsciiDigit)]) switch
    {
        Succeeds => Behaviour.Succeeds,
        RequiresAuthentication => Behaviour.RequiresAuthentication,
        Declined => Behaviour.Declined,
        InsufficientFunds => Behaviour.InsufficientFunds,
        _ => Behaviour.IncorrectNumber,
    };

    public static StripeError Error(Behaviour decline) => decline switch
    {
        Behaviour.Declined => Card("card_declined", "generic_decline", "Your card was declined."),
        Behaviour.InsufficientFunds => Card("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        _ => Card("incorrect_number", null, "Your card number is incorrect."),
    };

    private static StripeError Card(string code, string? declineCode, string message) =>
        new() { Type = "card_error", Code = code, DeclineCode = declineCode, Message = message };
}
