using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Actors;

/// <summary>
/// What one ticket holder carries, for the notifications module's e-mails (order confirmation, a gift received): one PDF
/// with the asked-for tickets that are theirs and active (and not held for pickup: those have no code to print yet), and per ticket the wallet links that work without signing in.
/// Stateless; the holder is the actor's id, so a caller cannot get documents of tickets that are not the holder's.
/// </summary>
public sealed class TicketDocumentsActor(ActorHost host, CarriedDocuments documents) : Actor(host), ITicketDocumentsActor
{
    /// <summary>More than any order holds; a longer list is a caller's bug.</summary>
    private const int MaximumTickets = 100;

    public async Task<TicketDocuments?> GetAsync(TicketDocumentsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TicketIds is not { Count: > 0 and <= MaximumTickets } ids)
        {
            throw new ArgumentException($"Ask for 1 to {MaximumTickets} tickets.", nameof(request));
        }

        var owner = Guid.ParseExact(Id.Id, "N");
        var asked = ids.Distinct().ToList();
        var found = await documents.Tickets().Where(c => asked.Contains(c.Ticket.Id) && c.Ticket.OwnerId == owner && c.Ticket.Status == TicketStatus.Active
            && (c.Ticket.LockReason == null || c.Ticket.LockReason != TicketLockReasons.WillCall)).ToListAsync();
        if (found.Count == 0)
        {
            return null;
        }

        // In the order asked for: an order's tickets by line, as the e-mail lists them.
        var tickets = found.OrderBy(c => asked.IndexOf(c.Ticket.Id)).ToList();
        var links = new List<TicketWalletLinks>(tickets.Count);
        foreach (var ticket in tickets)
        {
            links.Add(await documents.LinksAsync(ticket, CancellationToken.None));
        }

        var orders = tickets.Select(t => t.Ticket.OrderNumber).Distinct().ToList();
        var fileName = orders is [{ } order] ? $"tickets-{order}.pdf" : "tickets.pdf";
        return new TicketDocuments(owner, fileName, documents.Pdf(tickets), links);
    }
}
