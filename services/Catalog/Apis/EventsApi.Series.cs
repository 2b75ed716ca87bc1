using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Apis;

// A series: the occurrences a recurrence rule makes from one drafted template.
public static partial class EventsApi
{
    /// <summary>A copy of the template starting at <paramref name="start"/>; its end and sales window keep their distance to the start.</summary>
    private static Event Occurrence(Event template, DateTimeOffset start, bool salesStartFollows)
    {
        var shift = start - template.StartsAt;
        return new Event
        {
            Id = Guid.CreateVersion7(),
            OrganizerId = template.OrganizerId,
            VenueId = template.VenueId,
            SeatMapId = template.SeatMapId,
            Name = template.Name,
            Description = template.Description,
            Category = template.Category,
            StartsAt = start,
            EndsAt = template.EndsAt + shift,
            // A sales start that was given moves with each occurrence; the default (now) opens them all at once.
            SalesStartAt = salesStartFollows ? template.SalesStartAt + shift : template.SalesStartAt,
            SalesEndAt = template.SalesEndAt + shift,
            Currency = template.Currency,
            PerOrderLimit = template.PerOrderLimit,
            PerAccountLimit = template.PerAccountLimit,
            ResaleAllowed = template.ResaleAllowed,
            ResalePriceCapPercent = template.ResalePriceCapPercent,
            ResaleRoyaltyBasisPoints = template.ResaleRoyaltyBasisPoints,
            ResaleListingCooldownMinutes = template.ResaleListingCooldownMinutes,
            ResaleMaxListingsPerFan = template.ResaleMaxListingsPerFan,
            WalletPassesAllowed = template.WalletPassesAllowed,
            Status = EventStatus.Draft,
            CreatedAt = template.CreatedAt,
            UpdatedAt = template.UpdatedAt,
        };
    }

    private static RecurrenceFrequency ParseFrequency(string frequency) => frequency switch
    {
        "daily" => RecurrenceFrequency.Daily,
        "weekly" => RecurrenceFrequency.Weekly,
        _ => RecurrenceFrequency.Monthly,
    };

    private static List<DayOfWeek> ParseWeekDays(IReadOnlyList<string>? days) => (days ?? []).Select(day => day.Trim().ToLowerInvariant() switch
    {
        "mo" or "monday" => DayOfWeek.Monday,
        "tu" or "tuesday" => DayOfWeek.Tuesday,
        "we" or "wednesday" => DayOfWeek.Wednesday,
        "th" or "thursday" => DayOfWeek.Thursday,
        "fr" or "friday" => DayOfWeek.Friday,
        "sa" or "saturday" => DayOfWeek.Saturday,
        "su" or "sunday" => DayOfWeek.Sunday,
        _ => throw CatalogProblems.InvalidRecurrence($"'{day}' is not a day of the week; use MO, TU, WE, TH, FR, SA, SU or the English names."),
    }).ToList();
}
