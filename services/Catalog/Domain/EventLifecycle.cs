namespace TicketToken.Catalog.Domain;

public enum EventStatus
{
    Draft,
    Published,
    OnSale,
    Completed,
    Cancelled,
}

/// <summary>
/// The life of an event: draft → published → on_sale → completed, or cancelled from any state before completed.
/// Publishing again while published or on sale re-announces the event (a higher version) without moving it.
/// </summary>
public static class EventLifecycle
{
    public static string Name(EventStatus status) => status switch
    {
        EventStatus.Draft => "draft",
        EventStatus.Published => "published",
        EventStatus.OnSale => "on_sale",
        EventStatus.Completed => "completed",
        _ => "cancelled",
    };

    public static EventStatus Parse(string name) => name switch
    {
        "draft" => EventStatus.Draft,
        "published" => EventStatus.Published,
        "on_sale" => EventStatus.OnSale,
        "completed" => EventStatus.Completed,
        _ => EventStatus.Cancelled,
    };

    /// <summary>Whether anyone may see the event: it was announced and not withdrawn.</summary>
    public static bool IsPublic(EventStatus status) => status is EventStatus.Published or EventStatus.OnSale or EventStatus.Completed;

    public static EventStatus Publish(EventStatus from) => from switch
    {
        EventStatus.Draft => EventStatus.Published,
        EventStatus.Published or EventStatus.OnSale => from,
        _ => throw CatalogProblems.InvalidTransition("be published", from),
    };

    public static EventStatus OpenSales(EventStatus from) =>
        from == EventStatus.Published ? EventStatus.OnSale : throw CatalogProblems.InvalidTransition("open sales", from);

    public static EventStatus Complete(EventStatus from) =>
        from == EventStatus.OnSale ? EventStatus.Completed : throw CatalogProblems.InvalidTransition("be completed", from);

    public static EventStatus Cancel(EventStatus from) =>
        from is EventStatus.Draft or EventStatus.Published or EventStatus.OnSale ? EventStatus.Cancelled : throw CatalogProblems.InvalidTransition("be cancelled", from);
}
