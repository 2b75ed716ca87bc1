using System.Net.Mail;
using System.Text.Json;
using CsvHelper;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>One guest of a comp request as sent: <see cref="Line"/> is the CSV line (or the guest's position in the JSON list).</summary>
public sealed record GuestEntry(int Line, string? Name, string? Email, string? Reason, string? TicketType, string? Seat);

/// <summary>An error in a guest list, by line, so the organizer fixes the file and sends all of it again.</summary>
public sealed record GuestListError(int Line, string? Field, string Message);

/// <summary>A guest checked against the event: the ticket type it resolved to and the seat, if one was named.</summary>
public sealed record Guest(int Line, string Name, string? Email, string Reason, TicketPrice Type, string? Seat);

/// <summary>
/// A guest list in (CSV with the header <c>name,email,reason,ticket_type,seat</c>, columns in any order, <c>email</c>
/// and <c>seat</c> optional; or the same fields as JSON) and its checks. The ticket type is named by its id or its name
/// (any case); a reserved type's guest may name a seat, or gets the best available one of the type's price zone.
/// </summary>
public static class GuestList
{
    public const int MaxGuests = 500;

    private static readonly string[] Required = ["name", "reason", "ticket_type"];

    public static List<GuestEntry> ParseCsv(string text, List<GuestListError> errors)
    {
        var entries = new List<GuestEntry>();
        try
        {
            using var reader = CsvReader.FromText(text, new CsvReaderOptions { TrackLineNumbers = true });
            reader.ReadHeader();
            var missing = Required.Where(column => !reader.TryGetFieldIndex(column, out _)).ToList();
            if (missing.Count > 0)
            {
                errors.Add(new GuestListError(1, null, $"The header needs the columns {string.Join(", ", Required)} (missing: {string.Join(", ", missing)})."));
                return entries;
            }

            string? Field(string column) => reader.TryGetFieldIndex(column, out var index) && index < reader.FieldCount && !reader.IsEmpty(index)
                ? reader.GetString(index).Trim()
                : null;

            while (reader.Read())
            {
                entries.Add(new GuestEntry((int)reader.LineNumber, Field("name"), Field("email"), Field("reason"), Field("ticket_type"), Field("seat")));
            }
        }
        catch (Exception ex) when (ex is CsvFormatException or FormatException or InvalidDataException)
        {
            errors.Add(new GuestListError(entries.Count + 2, null, $"The CSV cannot be read here: {ex.Message}"));
        }

        return entries;
    }

    public static List<GuestEntry> ParseJson(string text, List<GuestListError> errors)
    {
        try
        {
            var request = JsonSerializer.Deserialize<GuestsDocument>(text, JsonSerializerOptions.Web);
            return [.. (request?.Guests ?? []).Select((g, i) => new GuestEntry(i + 1, g?.Name?.Trim(), g?.Email?.Trim(), g?.Reason?.Trim(), g?.TicketType?.Trim(), g?.Seat?.Trim()))];
        }
        catch (JsonException ex)
        {
            errors.Add(new GuestListError((int)(ex.LineNumber ?? 0) + 1, ex.Path, "The JSON is not a guest list: " + ex.Message));
            return [];
        }
    }

    /// <summary>Every entry checked against the event's ticket types; any error rejects the whole list.</summary>
    public static List<Guest> Check(IReadOnlyList<GuestEntry> entries, IReadOnlyList<TicketPrice> types, List<GuestListError> errors)
    {
        if (entries.Count == 0 && errors.Count == 0)
        {
            errors.Add(new GuestListError(1, null, "The list names no guest."));
        }

        if (entries.Count > MaxGuests)
        {
            errors.Add(new GuestListError(entries[MaxGuests].Line, null, $"At most {MaxGuests} guests per request."));
        }

        var guests = new List<Guest>();
        var seats = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var before = errors.Count;
            foreach (var (field, value) in new[] { ("name", entry.Name), ("email", entry.Email), ("reason", entry.Reason), ("ticket_type", entry.TicketType), ("seat", entry.Seat) })
            {
                // The same rule the input guard applies to every JSON string: no control characters, no lone surrogates.
                if (value is not null && TextInput.Problem(value) is { } problem)
                {
                    errors.Add(new GuestListError(entry.Line, field, $"The text {problem}."));
                }
            }

            if (errors.Count > before)
            {
                continue;
            }
            if (entry.Name is not { Length: >= 1 and <= 200 })
            {
                errors.Add(new GuestListError(entry.Line, "name", "Give the guest's name (at most 200 characters)."));
            }

            if (entry.Email is not null && (entry.Email.Length > 254 || !MailAddress.TryCreate(entry.Email, out _)))
            {
                errors.Add(new GuestListError(entry.Line, "email", $"'{entry.Email}' is not an e-mail address."));
            }

            var reason = entry.Reason?.ToLowerInvariant();
            if (reason is null || !CompReasons.All.Contains(reason))
            {
                errors.Add(new GuestListError(entry.Line, "reason", $"The reason is one of {string.Join(", ", CompReasons.All)}."));
            }

            var type = entry.TicketType is null ? null
                : types.FirstOrDefault(t => Guid.TryParse(entry.TicketType, out var id) ? t.TicketTypeId == id : string.Equals(t.Name, entry.TicketType, StringComparison.OrdinalIgnoreCase));
            if (type is null)
            {
                errors.Add(new GuestListError(entry.Line, "ticket_type", $"The event has no ticket type '{entry.TicketType}' (name or id)."));
            }
            else if (entry.Seat is not null && type.Kind != Contracts.Catalog.PublishedTicketType.Reserved)
            {
                errors.Add(new GuestListError(entry.Line, "seat", $"'{type.Name}' is general admission: it has no seats."));
            }
            else if (entry.Seat is not null && !seats.TryAdd(entry.Seat, entry.Line))
            {
                errors.Add(new GuestListError(entry.Line, "seat", $"Seat {entry.Seat} is named on line {seats[entry.Seat]} already."));
            }

            if (errors.Count == before)
            {
                guests.Add(new Guest(entry.Line, entry.Name!, entry.Email, reason!, type!, entry.Seat));
            }
        }

        var zonesWithoutSeats = guests.Where(g => g.Type.Kind == Contracts.Catalog.PublishedTicketType.Reserved && g.Seat is null).Select(g => g.Type.PriceZone).Distinct().ToList();
        if (zonesWithoutSeats.Count > 1)
        {
            var second = guests.First(g => g.Type.Kind == Contracts.Catalog.PublishedTicketType.Reserved && g.Seat is null && g.Type.PriceZone == zonesWithoutSeats[1]);
            errors.Add(new GuestListError(second.Line, "seat", "Best available seats come from one price zone per request: name the seats, or send one request per zone."));
        }

        return guests;
    }

    private sealed record GuestsDocument(List<GuestJson?>? Guests);

    private sealed record GuestJson(string? Name, string? Email, string? Reason, string? TicketType, string? Seat);
}
