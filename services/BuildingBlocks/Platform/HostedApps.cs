namespace TicketToken.BuildingBlocks.Platform;

/// <summary>
/// The app-ids this process runs (<c>TICKETTOKEN__SERVICES</c>), for the runtimes and security, which must know them but
/// sit below the composition root that chose the modules.
/// </summary>
public sealed class HostedApps(IReadOnlyList<string> appIds)
{
    public IReadOnlyList<string> AppIds { get; } = appIds;

    public bool Runs(string appId) => AppIds.Contains(appId, StringComparer.Ordinal);
}
