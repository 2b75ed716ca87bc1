using TicketToken.BuildingBlocks.Hosting;

namespace TicketToken.Runtime.ConformanceHost;

/// <summary>A second app in the same host, to show that apps do not see each other's state.</summary>
public sealed class PeerModule : Module
{
    public const string Id = "peer";

    public override string AppId => Id;
}
