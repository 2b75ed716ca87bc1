using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Contracts.Payments;

/// <summary>
/// A fan's payout account for resales (one actor per fan, type <see cref="SellerAccounts.TypeName"/>): the Stripe Connect
/// express account they onboard at <c>POST /api/payments/sellers/me/connect</c>. The marketplace lets only fans whose
/// account can receive payouts list tickets.
/// </summary>
public interface ISellerAccountActor : IActor
{
    Task<SellerAccountView> GetAsync();
}

public static class SellerAccounts
{
    public const string TypeName = "SellerAccount";

    public static ActorId Id(Guid userId) => new(userId.ToString("N"));

    /// <summary>Where a fan starts (or resumes) onboarding: the route that answers an onboarding link.</summary>
    public const string OnboardingPath = "/api/payments/sellers/me/connect";
}

/// <summary><see cref="Status"/>: <c>not_started</c>, <c>onboarding</c> or <c>enabled</c> (payouts possible).</summary>
public sealed record SellerAccountView(Guid UserId, string Status, string? AccountId, bool PayoutsEnabled);
