namespace TicketToken.Queue.Domain;

/// <summary>
/// How likely an entry is a bot, 0 (no sign) to 100, from signals the platform can observe when a fan joins. Each signal
/// adds its weight; what each one costs a real fan is in docs/operations.md ("Queue: bots at the back").
/// </summary>
public static class RiskScore
{
    /// <summary>Places of entries at or above the organizer's delay score are offset by this, so they come after every fan below it.</summary>
    public const long DelayedPlaceOffset = 1_000_000_000_000;

    public sealed record Signals(TimeSpan? AccountAge, int JoinsFromAddressLastMinute, int AccountsFromAddress, bool? ProofOfWorkSolved,
        int FailedSignInsOfAccount = 0, int FailedSignInsFromAddress = 0);

    /// <summary>Failed sign-ins of the account within a day from which it counts as stuffed credentials rather than a mistyped password.</summary>
    public const int ManyFailedSignIns = 3;

    /// <summary>Failed sign-ins from the client address within a day from which the address counts as trying many accounts.</summary>
    public const int ManyFailedSignInsFromAddress = 20;

    public const string NewAccount = "account_under_a_day";
    public const string YoungAccount = "account_under_a_week";
    public const string BusyAddress = "address_request_rate";
    public const string SharedAddress = "many_accounts_per_address";
    public const string NoProofOfWork = "proof_of_work_missing";
    public const string FailedSignIn = "failed_sign_in";
    public const string FailedSignIns = "failed_sign_ins";
    public const string FailedSignInsFromAddress = "failed_sign_ins_from_address";

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

        // One or two failures is a fan who mistyped a password: it costs almost nothing. Three or more within a day is
        // what credential stuffing leaves on an account it later got into.
        if (signals.FailedSignInsOfAccount >= ManyFailedSignIns)
        {
            score += 30;
            reasons.Add(FailedSignIns);
        }
        else if (signals.FailedSignInsOfAccount > 0)
        {
            score += 5;
            reasons.Add(FailedSignIn);
        }

        if (signals.FailedSignInsFromAddress >= ManyFailedSignInsFromAddress)
        {
            score += 15;
            reasons.Add(FailedSignInsFromAddress);
        }

        if (signals.ProofOfWorkSolved == false)
        {
            score += 30;
            reasons.Add(NoProofOfWork);
        }

        return (Math.Min(score, 100), reasons);
    }
}
