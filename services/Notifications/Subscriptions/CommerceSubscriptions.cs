using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Notifications;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Tickets;
using TicketToken.Notifications.Data;
using TicketToken.Notifications.Domain;

namespace TicketToken.Notifications.Subscriptions;

/// <summary>What messages say about an event, from the copy of catalog's announcements kept here.</summary>
internal static class Events
{
    public static async Task<JsonObject> ModelAsync(NotificationsDbContext db, Guid eventId, CancellationToken cancellationToken)
    {
        var known = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        return new JsonObject
        {
            ["name"] = known?.Name ?? "your event",
            ["when"] = Localised.Time(known?.StartsAt, known?.TimeZone),
            ["venue"] = known is { VenueName: { } venue } ? venue + (known.VenueCity is { } city ? ", " + city : "") : null,
        };
    }

    public static string Label(TicketDetails ticket) =>
        ticket.SeatId is not null ? $"{ticket.TicketTypeName}: section {ticket.Section}, row {ticket.Row}, seat {ticket.SeatNumber}" : $"{ticket.TicketTypeName} (general admission)";
}

/// <summary>Keeps the newest announcement of each event; an organizer's first announcement of an event is news for fans who opted in.</summary>
public sealed class RecordEvent(Notifier notifier, IOptions<NotificationsOptions> options) : ITopicHandler<EventPublished>
{
    public Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(EventPublished.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            // A change is news for the holders whatever order versions arrive in: each is mailed once (per message).
            if (data.Change is { Kind: EventChange.Rescheduled or EventChange.VenueDetails } change)
            {
                await AnnounceChangeAsync(data, change, envelope, ct);
            }

            var known = await db.Events.SingleOrDefaultAsync(e => e.Id == data.EventId, ct);
            if (known is null)
            {
                known = new EventInfo { Id = data.EventId, OrganizerId = data.OrganizerId };
                db.Events.Add(known);
            }
            else if (known.Version >= data.Version)
            {
                return;
            }

            known.OrganizerId = data.OrganizerId;
            known.Name = data.Name;
            known.VenueName = data.VenueName;
            known.VenueCity = data.VenueCity;
            known.StartsAt = data.StartsAt;
            known.TimeZone = data.TimeZone;
            known.Version = data.Version;
            if (data.Version != 1)
            {
                return;
            }

            // Marketing: fans who held tickets of this organizer and opted in (checked again when each is sent).
            var fans = await (from t in db.Tickets
                              join r in db.Recipients on t.OwnerId equals r.UserId
                              where t.OrganizerId == data.OrganizerId && r.Marketing && r.Status == RecipientStatuses.Active
                              select t.OwnerId).Distinct().ToListAsync(ct);
            var baseUrl = options.Value.Mail.PublicBaseUrl.TrimEnd('/');
            foreach (var fan in fans)
            {
                var model = TemplateModel.Of(new { eventUrl = $"{baseUrl}/events/{data.EventId}", preferencesUrl = $"{baseUrl}/settings/notifications" });
                model["event"] = await Events.ModelAsync(db, data.EventId, ct) is var e && e["name"]!.GetValue<string>() == "your event"
                    ? new JsonObject { ["name"] = data.Name, ["when"] = Localised.Time(data.StartsAt, data.TimeZone), ["venue"] = data.VenueName }
                    : e;
                await notifier.MailAsync(envelope.Id, new OutgoingMail("new-event", fan, null, data.OrganizerId, model, MessageCategories.Marketing), ct);
            }
        }, cancellationToken);

    /// <summary>Every holder of a ticket of the event hears what changed; a reschedule also says until when the order may be refunded.</summary>
    private async Task AnnounceChangeAsync(EventPublished data, EventChange change, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var db = notifier.Db;
        var holders = await db.Tickets.Where(t => t.EventId == data.EventId && (t.Status == TicketStatuses.Active || t.Status == TicketStatuses.Issued))
            .Select(t => t.OwnerId).Distinct().ToListAsync(cancellationToken);
        var baseUrl = options.Value.Mail.PublicBaseUrl.TrimEnd('/');
        foreach (var holder in holders)
        {
            var model = TemplateModel.Of(new
            {
                rescheduled = change.Kind == EventChange.Rescheduled,
                reason = change.Reason,
                venueName = data.VenueName,
                venueAddress = data.VenueAddress,
                ordersUrl = $"{baseUrl}/orders",
            });
            model["event"] = new JsonObject { ["name"] = data.Name, ["when"] = Localised.Time(data.StartsAt, data.TimeZone), ["venue"] = data.VenueName };
            model["previousWhen"] = change.PreviousStartsAt is { } previous ? Localised.Time(previous, data.TimeZone) : null;
            model["refundUntil"] = change.RefundUntil is { } until ? Localised.Time(until, data.TimeZone) : null;
            model["doors"] = data.DoorsAt is { } doors ? Localised.Time(doors, data.TimeZone) : null;
            await notifier.MailAsync(envelope.Id, new OutgoingMail("event-changed", holder, null, data.OrganizerId, model), cancellationToken);
        }
    }
}

/// <summary>A cancelled event: every holder is told, and the organizer's endpoints get <c>event.cancelled</c>.</summary>
public sealed class AnnounceCancellation(Notifier notifier) : ITopicHandler<EventCancelled>
{
    public Task<TopicResult> HandleAsync(EventCancelled data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(EventCancelled.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            var known = await db.Events.SingleOrDefaultAsync(e => e.Id == data.EventId, ct);
            if (known is null)
            {
                db.Events.Add(new EventInfo { Id = data.EventId, OrganizerId = data.OrganizerId, CancelledAt = data.CancelledAt });
            }
            else
            {
                known.CancelledAt ??= data.CancelledAt;
            }

            var holders = await db.Tickets.Where(t => t.EventId == data.EventId && (t.Status == TicketStatuses.Active || t.Status == TicketStatuses.Issued || t.Status == TicketStatuses.Cancelled))
                .Select(t => t.OwnerId).Distinct().ToListAsync(ct);
            foreach (var holder in holders)
            {
                var model = TemplateModel.Of(new { reason = data.Reason });
                model["event"] = await Events.ModelAsync(db, data.EventId, ct);
                await notifier.MailAsync(envelope.Id, new OutgoingMail("event-cancelled", holder, null, data.OrganizerId, model), ct);
            }

            await notifier.WebhookAsync(envelope.Id, data.OrganizerId, WebhookEventTypes.EventCancelled, data, ct);
        }, cancellationToken);
}

/// <summary>The receipt with the tickets: one PDF of them attached and their wallet links, made by the tickets module when it is sent.</summary>
public sealed class ConfirmOrder(Notifier notifier) : ITopicHandler<OrderConfirmed>
{
    public Task<TopicResult> HandleAsync(OrderConfirmed data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(OrderConfirmed.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            if (!await db.Orders.AnyAsync(o => o.Id == data.OrderId, ct))
            {
                db.Orders.Add(new OrderInfo
                {
                    Id = data.OrderId, Number = data.OrderNumber, BuyerId = data.BuyerId, OrganizerId = data.OrganizerId, EventId = data.EventId,
                    Currency = data.Currency, Total = data.Amounts.Total, ConfirmedAt = data.ConfirmedAt,
                });
            }

            var model = TemplateModel.Of(new { orderNumber = data.OrderNumber, ticketsOf = new { ownerId = data.BuyerId, orderId = data.OrderId, count = 1 } });
            model["total"] = Localised.Money(data.Amounts.Total, data.Currency);
            model["event"] = await Events.ModelAsync(db, data.EventId, ct);
            // A box-office sale is mailed to the address given at the counter (the clerk holds the tickets in the platform).
            await notifier.MailAsync(envelope.Id, data.MailTo is { } address
                ? new OutgoingMail("order-confirmation", null, address, data.OrganizerId, model)
                : new OutgoingMail("order-confirmation", data.BuyerId, null, data.OrganizerId, model), ct);
            await notifier.WebhookAsync(envelope.Id, data.OrganizerId, WebhookEventTypes.OrderConfirmed, data, ct);
        }, cancellationToken);
}

public sealed class ConfirmRefund(Notifier notifier) : ITopicHandler<OrderRefunded>
{
    public async Task<TopicResult> HandleAsync(OrderRefunded data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        // The buyer is known from the order's confirmation; a refund that overtook it waits for it.
        var order = await notifier.Db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == data.OrderId, cancellationToken);
        if (order is null)
        {
            return TopicResult.Retry;
        }

        return await notifier.OnceAsync(OrderRefunded.Topic, envelope, async ct =>
        {
            var model = TemplateModel.Of(new { orderNumber = data.OrderNumber });
            model["amount"] = Localised.Money(data.Amounts.Total, data.Currency);
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("order-refunded", order.BuyerId, null, data.OrganizerId, model), ct);
            await notifier.WebhookAsync(envelope.Id, data.OrganizerId, WebhookEventTypes.OrderRefunded, data, ct);
        }, cancellationToken);
    }
}

public sealed class ExplainEndedOrder(Notifier notifier) : ITopicHandler<OrderEnded>
{
    public Task<TopicResult> HandleAsync(OrderEnded data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(OrderEnded.Topic, envelope, async ct =>
        {
            var reason = data.Code switch
            {
                "payment_not_received" => "no payment arrived before the seats' hold ran out",
                "card_declined" or "generic_decline" => "the card was declined",
                "insufficient_funds" => "the card has insufficient funds",
                _ when data.Status == "cancelled" => "you cancelled it",
                { } code => code.Replace('_', ' '),
                null => "it could not be completed",
            };
            var model = TemplateModel.Of(new { orderNumber = data.OrderNumber, status = data.Status, reason });
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            var organizer = await notifier.Db.Events.Where(e => e.Id == data.EventId).Select(e => (Guid?)e.OrganizerId).SingleOrDefaultAsync(ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("order-ended", data.BuyerId, null, organizer, model), ct);
        }, cancellationToken);
}

/// <summary>Records issued tickets (what the receipt lists) and tells the organizer's endpoints.</summary>
public sealed class RecordIssuedTickets(Notifier notifier) : ITopicHandler<TicketsIssued>
{
    public Task<TopicResult> HandleAsync(TicketsIssued data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TicketsIssued.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            var labels = data.Tickets.Select(Events.Label).ToArray();
            var ids = data.Tickets.Select(t => t.TicketId).ToArray();
            // Inserted where absent, in one statement that waits for a concurrent tickets.changed's insert of the same row
            // to commit instead of failing on the key; the rows that were there already get the details below.
            var inserted = await db.Database.SqlQuery<Guid>($"""
                insert into notifications.tickets (id, order_id, event_id, organizer_id, owner_id, label, status)
                select ticket, {data.OrderId}, {data.EventId}, {data.OrganizerId}, {data.OwnerId}, label, {TicketStatuses.Issued}
                from unnest({ids}, {labels}) as issued (ticket, label)
                on conflict (id) do nothing
                returning id as "Value"
                """).ToListAsync(ct);
            var present = ids.Except(inserted).ToList();
            if (present.Count > 0)
            {
                // tickets.changed came first: it knows owner and status; the details come from here.
                foreach (var existing in await db.Tickets.Where(t => present.Contains(t.Id)).ToListAsync(ct))
                {
                    existing.OrderId = data.OrderId;
                    existing.Label = labels[Array.IndexOf(ids, existing.Id)];
                }
            }

            await notifier.WebhookAsync(envelope.Id, data.OrganizerId, WebhookEventTypes.TicketIssued, data, ct);
        }, cancellationToken);
}

/// <summary>Who holds each ticket now and in what status (the newest sequence wins).</summary>
public sealed class RecordTicketChange(Notifier notifier) : ITopicHandler<TicketChanged>
{
    public Task<TopicResult> HandleAsync(TicketChanged data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TicketChanged.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            // As for tickets.issued: a concurrent insert of the same row is waited for, not failed on.
            var inserted = await db.Database.SqlQuery<Guid>($"""
                insert into notifications.tickets (id, event_id, organizer_id, owner_id, status, sequence)
                values ({data.TicketId}, {data.EventId}, {data.OrganizerId}, {data.OwnerId}, {data.Status}, {data.Sequence})
                on conflict (id) do nothing
                returning id as "Value"
                """).ToListAsync(ct);
            if (inserted.Count > 0)
            {
                return;
            }

            var ticket = await db.Tickets.SingleAsync(t => t.Id == data.TicketId, ct);
            if (data.Sequence > ticket.Sequence)
            {
                ticket.OwnerId = data.OwnerId;
                ticket.Status = data.Status;
                ticket.Sequence = data.Sequence;
            }
        }, cancellationToken);
}

public sealed class ExplainRevokedTickets(Notifier notifier) : ITopicHandler<TicketsRevoked>
{
    public Task<TopicResult> HandleAsync(TicketsRevoked data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TicketsRevoked.Topic, envelope, async ct =>
        {
            var ids = data.Tickets.Select(t => t.TicketId).ToList();
            var labels = await notifier.Db.Tickets.Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Label, ct);
            var model = TemplateModel.Of(new
            {
                count = data.Tickets.Count,
                reason = data.Reason == RevokeTickets.Refunded ? "refunded" : "revoked",
                tickets = data.Tickets.Select(t => labels.GetValueOrDefault(t.TicketId) ?? $"ticket {t.TicketId}").ToList(),
            });
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            var organizer = await notifier.Db.Events.Where(e => e.Id == data.EventId).Select(e => (Guid?)e.OrganizerId).SingleOrDefaultAsync(ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("tickets-revoked", data.OwnerId, null, organizer, model), ct);
        }, cancellationToken);
}

/// <summary>
/// An event is over: each holder of tickets that expired unused hears how many. The expiry's <c>tickets.changed</c> messages may
/// still be on their way (no order is promised); until this module has seen as many expired tickets as the event says, it waits.
/// </summary>
public sealed class ExplainExpiredTickets(Notifier notifier) : ITopicHandler<TicketsExpired>
{
    public async Task<TopicResult> HandleAsync(TicketsExpired data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var holders = await notifier.Db.Tickets.AsNoTracking().Where(t => t.EventId == data.EventId && t.Status == TicketStatuses.Expired)
            .GroupBy(t => t.OwnerId).Select(g => new { Owner = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        if (holders.Sum(h => h.Count) < data.Count)
        {
            return TopicResult.Retry;
        }

        return await notifier.OnceAsync(TicketsExpired.Topic, envelope, async ct =>
        {
            var organizer = await notifier.Db.Events.Where(e => e.Id == data.EventId).Select(e => (Guid?)e.OrganizerId).SingleOrDefaultAsync(ct);
            foreach (var holder in holders)
            {
                var model = TemplateModel.Of(new { count = holder.Count });
                model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
                await notifier.MailAsync(envelope.Id, new OutgoingMail("tickets-expired", holder.Owner, null, organizer, model), ct);
            }
        }, cancellationToken);
    }
}

/// <summary>A gift was offered: the acceptance code goes to the address the sender gave.</summary>
public sealed class OfferGift(Notifier notifier, IOptions<NotificationsOptions> options) : ITopicHandler<TransferOffered>
{
    public Task<TopicResult> HandleAsync(TransferOffered data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TransferOffered.Topic, envelope, async ct =>
        {
            var sender = await notifier.Db.Recipients.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == data.SenderId, ct);
            var model = TemplateModel.Of(new
            {
                senderName = sender?.DisplayName ?? sender?.Email ?? "A fan",
                message = data.Message,
                code = data.AcceptanceCode,
                acceptUrl = $"{options.Value.Mail.PublicBaseUrl.TrimEnd('/')}/transfers/{data.TransferId}/accept",
            });
            model["expiresAt"] = Localised.Time(data.ExpiresAt);
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("gift-offered", null, data.RecipientEmail, data.OrganizerId, model), ct);
        }, cancellationToken);
}

/// <summary>A gift was accepted: the recipient gets the ticket (PDF and wallet links), the sender hears it arrived.</summary>
public sealed class DeliverGift(Notifier notifier) : ITopicHandler<TicketTransferred>
{
    public Task<TopicResult> HandleAsync(TicketTransferred data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TicketTransferred.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            var people = await db.Recipients.AsNoTracking().Where(r => r.UserId == data.SenderId || r.UserId == data.RecipientId).ToDictionaryAsync(r => r.UserId, ct);
            var sender = people.GetValueOrDefault(data.SenderId);
            var recipient = people.GetValueOrDefault(data.RecipientId);
            var received = TemplateModel.Of(new
            {
                senderName = sender?.DisplayName ?? "A fan",
                ticketsOf = new { ownerId = data.RecipientId, ticketIds = new[] { data.TicketId }, count = 1 },
            });
            received["event"] = await Events.ModelAsync(db, data.EventId, ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("gift-received", data.RecipientId, null, data.OrganizerId, received), ct);
            var accepted = TemplateModel.Of(new { recipientName = recipient?.DisplayName ?? "The recipient" });
            accepted["event"] = await Events.ModelAsync(db, data.EventId, ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("gift-accepted", data.SenderId, null, data.OrganizerId, accepted), ct);
            await notifier.WebhookAsync(envelope.Id, data.OrganizerId, WebhookEventTypes.TicketTransferred, data, ct);
        }, cancellationToken);
}

/// <summary>A reissued ticket goes to its holder again, with the new code; the old one no longer admits.</summary>
public sealed class DeliverReissuedTicket(Notifier notifier) : ITopicHandler<TicketReissued>
{
    public Task<TopicResult> HandleAsync(TicketReissued data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TicketReissued.Topic, envelope, async ct =>
        {
            var model = TemplateModel.Of(new { reason = data.Reason, ticketsOf = new { ownerId = data.OwnerId, ticketIds = new[] { data.TicketId }, count = 1 } });
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("ticket-reissued", data.OwnerId, null, data.OrganizerId, model), ct);
        }, cancellationToken);
}

public sealed class OfferWaitlistSeats(Notifier notifier, IOptions<NotificationsOptions> options) : ITopicHandler<WaitlistOffered>
{
    public Task<TopicResult> HandleAsync(WaitlistOffered data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(WaitlistOffered.Topic, envelope, async ct =>
        {
            var model = TemplateModel.Of(new
            {
                seats = data.Seats.Select(s => $"section {s.Section}, row {s.Row}, seat {s.Number}")
                    .Concat((data.GeneralAdmission ?? []).Select(g => g.Quantity == 1 ? "1 general-admission place" : $"{g.Quantity} general-admission places")).ToList(),
                checkoutUrl = $"{options.Value.Mail.PublicBaseUrl.TrimEnd('/')}/events/{data.EventId}/checkout?hold={data.HoldId}",
            });
            model["expiresAt"] = Localised.Time(data.ExpiresAt);
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            var organizer = await notifier.Db.Events.Where(e => e.Id == data.EventId).Select(e => (Guid?)e.OrganizerId).SingleOrDefaultAsync(ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("waitlist-offer", data.FanId, null, organizer, model), ct);
        }, cancellationToken);
}

/// <summary>An entry conflict found in offline scans goes to the organizer's admins.</summary>
public sealed class ReportEntryConflict(Notifier notifier, IOptions<NotificationsOptions> options) : ITopicHandler<EntryConflictDetected>
{
    public Task<TopicResult> HandleAsync(EntryConflictDetected data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(EntryConflictDetected.Topic, envelope, async ct =>
        {
            foreach (var admin in await notifier.AdminsOfAsync(data.OrganizerId, ct))
            {
                var model = TemplateModel.Of(new
                {
                    ticketId = data.TicketId, reason = data.Reason.Replace('_', ' '), deviceId = data.DeviceId, firstDeviceId = data.FirstDeviceId,
                    conflictsUrl = $"{options.Value.Mail.PublicBaseUrl.TrimEnd('/')}/api/scanning/events/{data.EventId}/conflicts",
                });
                model["scannedAt"] = Localised.Time(data.ScannedAt);
                model["firstScannedAt"] = Localised.Time(data.FirstScannedAt);
                model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
                await notifier.MailAsync(envelope.Id, new OutgoingMail("entry-conflict", admin, null, data.OrganizerId, model), ct);
            }
        }, cancellationToken);
}

/// <summary>A ticket let in at a gate (online or reconciled offline) goes to the organizer's webhooks.</summary>
public sealed class ReportCheckIn(Notifier notifier) : ITopicHandler<TicketCheckedIn>
{
    public Task<TopicResult> HandleAsync(TicketCheckedIn data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(TicketCheckedIn.Topic, envelope, async ct =>
        {
            // Scanning knows the event only because catalog announced it, which notifications hears too; until then, retry.
            var organizerId = await notifier.Db.Events.AsNoTracking().Where(e => e.Id == data.EventId).Select(e => (Guid?)e.OrganizerId).SingleOrDefaultAsync(ct)
                ?? throw new InvalidOperationException($"Event {data.EventId} of a check-in is not known here yet.");
            await notifier.WebhookAsync(envelope.Id, organizerId, WebhookEventTypes.TicketCheckedIn, data, ct);
        }, cancellationToken);
}

/// <summary>Money paid out to the organizer's connected account goes to its webhooks.</summary>
public sealed class ReportPayout(Notifier notifier) : ITopicHandler<PayoutPaid>
{
    public Task<TopicResult> HandleAsync(PayoutPaid data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(PayoutPaid.Topic, envelope,
            ct => notifier.WebhookAsync(envelope.Id, data.OrganizerId, WebhookEventTypes.PayoutPaid, data, ct), cancellationToken);
}
