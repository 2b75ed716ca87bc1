namespace TicketToken.Payments.Simulated;

/// <summary>
/// A webhook the simulated gateway owes our endpoint (internal topic <see cref="Topic"/>): written to the outbox in the
/// transaction that changed the simulated object, then signed and POSTed by <see cref="Subscriptions.DeliverSimulatedWebhook"/>.
/// </summary>
public sealed record SimulatedWebhook(string EventId, string Type, string Payload)
{
    public const string Topic = "payments.simulated-webhook";
}
