using TicketToken.Contracts.Orders;
using static TicketToken.Orders.Apis.BoxOfficeApi;

namespace TicketToken.Orders.Apis;

/// <summary>
/// A box-office sale's request (the API's edge: it reads the request body), checked as a whole before anything is held: some places, a counter payment (a card
/// terminal's reference with a card, none with cash), and the buyer's details where the sale needs them — a name for a
/// phone order and for will-call (the name the ID is checked against), an e-mail for mailed tickets.
/// </summary>
internal sealed record CounterSale(IReadOnlyList<string> Seats, BestAvailableRequest? Best, IReadOnlyList<(Guid TicketTypeId, int Quantity)> GeneralAdmission,
    string PaymentMethod, string? TerminalReference, string Channel, string? BuyerName, string? BuyerEmail, bool WillCall, bool MailTickets)
{
    public const string Counter = "counter";
    public const string Phone = "phone";
    private const int MaximumPlaces = 50;

    public static CounterSale Check(CounterSaleRequest request)
    {
        var seats = (request.Seats ?? []).Select(s => s?.Trim() ?? "").ToList();
        if (seats.Any(s => s.Length is 0 or > 64) || seats.Distinct(StringComparer.Ordinal).Count() != seats.Count)
        {
            throw OrdersProblems.InvalidCounterSale("Seats are seat ids of the event's map (1 to 64 characters), each once.");
        }

        var generalAdmission = (request.GeneralAdmission ?? []).GroupBy(g => g.TicketTypeId!.Value).Select(g => (g.Key, g.Sum(x => x.Quantity))).ToList();
        var places = seats.Count + (request.BestAvailable?.Quantity ?? 0) + generalAdmission.Sum(g => g.Item2);
        if (places is 0 or > MaximumPlaces)
        {
            throw OrdersProblems.InvalidCounterSale($"A sale has 1 to {MaximumPlaces} places: seats, best available seats or general-admission places.");
        }

        var payment = request.Payment!;
        var terminal = payment.TerminalReference?.Trim();
        if (payment.Method == CounterPaymentMethods.CardPresent ? string.IsNullOrEmpty(terminal) : terminal is not null)
        {
            throw OrdersProblems.InvalidCounterSale("A card payment names the terminal's reference of the transaction (terminalReference); a cash payment has none.");
        }

        var channel = request.Channel ?? Counter;
        var name = request.Buyer?.Name?.Trim() is { Length: > 0 } n ? n : null;
        var email = request.Buyer?.Email?.Trim().ToLowerInvariant() is { Length: > 0 } e ? e : null;
        var willCall = request.WillCall == true;
        var mail = request.MailTickets == true;
        if ((channel == Phone || willCall) && name is null)
        {
            throw OrdersProblems.InvalidCounterSale("A phone order and a will-call order name the buyer (buyer.name): it is the name the ID is checked against at pickup.");
        }

        if (mail && email is null)
        {
            throw OrdersProblems.InvalidCounterSale("Mailed tickets need the buyer's e-mail (buyer.email).");
        }

        return new CounterSale(seats, request.BestAvailable, generalAdmission, payment.Method!, terminal, channel, name, email, willCall, mail);
    }
}
