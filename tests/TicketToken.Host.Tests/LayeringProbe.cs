// Two namespaces for LayeringTests to prove its check fails when a lower one points up.
namespace TicketToken.Host.Tests.LayeringProbe.Low
{
    public static class Floor
    {
        public static High.Roof Reach() => new();
    }
}

namespace TicketToken.Host.Tests.LayeringProbe.High
{
    public sealed class Roof;
}
