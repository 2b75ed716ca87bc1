namespace TicketToken.Marketplace.Tests;

/// <summary>
/// The modules a resale touches in the real host executable (<c>TicketToken.Host.dll</c>, copied next to the tests) as a
/// child process the test can SIGKILL and start again on the same database.
/// </summary>
public sealed class CrashMarketplaceFixture : MarketplaceFixture
{
    protected override string ChildProcessServices => "identity,catalog,inventory,orders,payments,tickets,marketplace";
}
