namespace TicketToken.Queue.Domain;

/// <summary>
/// How likely an entry is a bot, 0 (no sign) to 100, from signals the platform can observe when a fan joins. Each signal
/// adds its weight; what each one costs a real fan is in docs/operations.md ("Queue: bots at the back").
/// </summary>
public static class RiskScore
{
    /// <summary>Places of entries at or above the organizer's delay score are offset by this, so they come after every fan below it.</summary>
    public const long DelayedPlaceOffset = 1_000_000_000_000;

    public sealed record Signals(TimeSpan? AccountAge, int JoinsFromAddressLastMinute, int AccountsFromAddress, bool? ProofOfWorkSolved);

    public const string NewAccount = "account_under_a_day";
    public const string YoungAccount = "account_under_a_week";
    public const string BusyAddress = "address_request_rate";
    public const string SharedAddress = "many_accounts_per_address";
    public const string NoProofOfWork = "proof_of_work_missing";

    public static (int Score, IReadOnlyList<string> Reasons) Of(Signals signals)
    {
        var reasons = new List<string>();
        var score = 0;
        if (signals.AccountAge is { } age && age < TimeSpan.FromDays(1))
        {
            score += 35;
            reasons.Add(NewAccount);
        }
        else if (signals.AccountAge is { } week && week < TimeSpan.FromDays(7))
        {
            score += 10;
            reasons.Add(YoungAccount);
        }

        if (signals.JoinsFromAddressLastMinute > 30)
        {
            score += 25;
            reasons.Add(BusyAddress);
        }

        if (signals.AccountsFromAddress > 8)
        {
            score += 25;
            reasons.Add(SharedAddress);
        }

        if (signals.ProofOfWorkSolved == false)
        {
            score += 30;
            reasons.Add(NoProofOfWork);
        }

        return (Math.Min(score, 100), reasons);
    }
}
