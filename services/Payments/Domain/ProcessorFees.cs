using Microsoft.Extensions.Options;

namespace TicketToken.Payments.Domain;

/// <summary>
/// The processor's fee on a charge, from the configured price (2.9 % + 30 by default, Stripe's standard card price in
/// the US). Stripe's exact fee is on the charge's balance transaction, which the client does not read (yet); the ledger
/// books this figure, and a reconciliation against Stripe's balance would show any difference.
/// </summary>
public sealed class ProcessorFees(IOptions<PaymentsOptions> options)
{
    public long For(long amount)
    {
        var price = options.Value.ProcessorFee;
        var percentage = (long)(((Int128)amount * price.BasisPoints + 5_000) / 10_000);
        return Math.Min(amount, percentage + price.Fixed);
    }
}
