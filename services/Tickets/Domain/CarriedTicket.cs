using System.Globalization;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// A ticket as it is carried away from the app (the PDF, a wallet pass): the ticket, its event as last announced, and
/// its holder's name where identity told it. Member-initialised, so queries can project into it.
/// </summary>
public sealed class CarriedTicket
{
    public required Ticket Ticket { get; init; }
    public required Event Event { get; init; }
    public string? HolderName { get; init; }

    public string EventName => Event.Name ?? "Your event";

    /// <summary>The seat in words, or general admission.</summary>
    public string Seat
    {
        get
        {
            if (Ticket.SeatId is null)
            {
                return "General admission";
            }

            var parts = new List<string>(3);
            if (Ticket.Section is { } section)
            {
                parts.Add($"Section {section}");
            }

            if (Ticket.SeatRow is { } row)
            {
                parts.Add($"Row {row}");
            }

            if (Ticket.SeatNumber is { } number)
            {
                parts.Add($"Seat {number}");
            }

            return parts.Count > 0 ? string.Join(", ", parts) : Ticket.SeatId;
        }
    }

    /// <summary>How a person refers to the ticket: its order number and line, or the start of its id for a ticket with no order.</summary>
    public string Number => Ticket.OrderNumber is { } order && Ticket.LineNumber is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"{order}-{line}")
        : TicketCode.EncodeId(Ticket.Id)[..10];

    /// <summary>One line for lists and e-mails.</summary>
    public string Label => $"{EventName} · {Seat}";

    public string Venue => string.Join(", ", new[] { Event.VenueName, Event.VenueCity }.Where(part => !string.IsNullOrWhiteSpace(part)));

    /// <summary>The start on the venue's wall clock, in words (<c>Saturday 1 June 2030, 20:00</c>); null until the event is announced.</summary>
    public string? When
    {
        get
        {
            if (Event.StartsAt is not { } startsAt)
            {
                return null;
            }

            var local = Event.TimeZone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var timeZone)
                ? TimeZoneInfo.ConvertTime(startsAt, timeZone)
                : startsAt.ToUniversalTime();
            return local.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture) + (local.Offset == TimeSpan.Zero && Event.TimeZone is null ? " UTC" : "");
        }
    }

    /// <summary>Whether the ticket can admit at all (only active tickets have codes).</summary>
    public bool IsActive => Ticket.Status == TicketStatus.Active;

    /// <summary>Whether its codes may leave the app: an active ticket of an event whose organizer allows wallet passes.</summary>
    public bool MayCarryPassCode => IsActive && Event.WalletPassesAllowed && Event.CancelledAt is null;
}
