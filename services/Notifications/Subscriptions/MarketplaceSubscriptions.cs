using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Marketplace;
using TicketToken.Notifications.Domain;

namespace TicketToken.Notifications.Subscriptions;

/// <summary>
/// Offers on resale listings: whoever did not act hears of it. A new offer or a buyer's answer to a counter goes to the
/// seller; a counter, an acceptance (with how long the buyer has to pay) or a seller's decline goes to the buyer.
/// </summary>
public sealed class TellOfferParty(Notifier notifier, IOptions<NotificationsOptions> options) : ITopicHandler<OfferChanged>
{
    public Task<TopicResult> HandleAsync(OfferChanged data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(OfferChanged.Topic, envelope, async ct =>
        {
            var template = data.Kind switch
            {
                OfferChanged.Made => "offer-made",
                OfferChanged.Countered => "offer-countered",
                OfferChanged.Accepted => "offer-accepted",
                OfferChanged.Declined => "offer-declined",
                _ => null,
            };
            if (template is null)
            {
                return;
            }

            var recipient = data.ActorId == data.SellerId ? data.BuyerId : data.SellerId;
            var baseUrl = options.Value.Mail.PublicBaseUrl.TrimEnd('/');
            var model = TemplateModel.Of(new
            {
                toBuyer = recipient == data.BuyerId,
                offerUrl = $"{baseUrl}/marketplace/offers/{data.OfferId}",
                resaleUrl = data.ResaleId is { } resale ? $"{baseUrl}/marketplace/resales/{resale}" : null,
            });
            model["price"] = Localised.Money(data.Price, data.Currency);
            model["askingPrice"] = Localised.Money(data.AskingPrice, data.Currency);
            model["expiresAt"] = Localised.Time(data.ExpiresAt);
            model["payBy"] = data.PayBy is { } payBy ? Localised.Time(payBy) : null;
            model["event"] = await Events.ModelAsync(notifier.Db, data.EventId, ct);
            await notifier.MailAsync(envelope.Id, new OutgoingMail(template, recipient, null, data.OrganizerId, model), ct);
        }, cancellationToken);
}
