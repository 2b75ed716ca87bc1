using Microsoft.AspNetCore.Routing;

namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>
/// A service of the platform (a Dapr app-id). A module registers its persistence, actors, workflows and
/// subscriptions in <see cref="Configure"/> and its HTTP endpoints in <see cref="MapEndpoints"/>. It
/// never references another module: it talks to them through the building blocks and <c>Contracts</c>.
/// </summary>
public abstract class Module
{
    /// <summary>The Dapr app-id and the name used in <c>TICKETTOKEN__SERVICES</c>: lower case, e.g. <c>orders</c>.</summary>
    public abstract string AppId { get; }

    public virtual void Configure(ModuleBuilder module)
    {
    }

    public virtual void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
