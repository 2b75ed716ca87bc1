using System.Text.Json.Serialization;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Actors;

/// <summary>One part of a buyer's hold: the seats it has in one section, or the places of one general-admission ticket type.</summary>
public sealed record HoldPart(HoldPartKind Kind, string Key)
{
    public static HoldPart InSection(string sectionCode) => new(HoldPartKind.Section, sectionCode);

    public static HoldPart OfType(Guid ticketTypeId) => new(HoldPartKind.GeneralAdmission, ticketTypeId.ToString());
}

/// <summary>Which actor keeps a part; the names are the text in buyers' actor state written when the kind was a string.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HoldPartKind>))]
public enum HoldPartKind
{
    [JsonStringEnumMemberName("section")] Section,
    [JsonStringEnumMemberName("general_admission")] GeneralAdmission,
}

/// <summary>
/// The actor that keeps one part of a hold, behind the few things a buyer's hold asks of every part, so
/// <see cref="BuyerHoldsActor"/> walks its parts without asking each which kind it is.
/// </summary>
internal interface IPartKeeper
{
    /// <summary>The failure code, or null when the part now runs until the new time.</summary>
    Task<string?> ExtendAsync(ExtendPart request);

    /// <summary>The failure code, or null when the part is now sold.</summary>
    Task<string?> CommitAsync(CommitPart request);

    Task UncommitAsync(CommitPart request);

    Task ReleaseAsync(ReleasePart request);

    /// <summary>
    /// Gives back what of this part the return names (<paramref name="seats"/>: the hold's seats being returned;
    /// general admission: the quantities the request names, all of them when it names nothing); the places that went
    /// back, or null when this part gives back seats (which <paramref name="seats"/> already lists) or nothing.
    /// </summary>
    Task<GeneralAdmissionQuantity?> ReturnAsync(BuyerHold hold, ReturnSeats request, IReadOnlyList<HeldSeat> seats);
}

internal static class PartKeepers
{
    public static IPartKeeper KeeperOf(this IActorProxyFactory actors, Guid eventId, HoldPart part) => part.Kind switch
    {
        HoldPartKind.Section => new SectionKeeper(actors.SectionOf(eventId, part.Key), part.Key),
        _ => new GeneralAdmissionKeeper(actors.GeneralAdmissionOf(eventId, Guid.Parse(part.Key)), Guid.Parse(part.Key)),
    };

    private sealed class SectionKeeper(ISeatSectionActor section, string code) : IPartKeeper
    {
        public async Task<string?> ExtendAsync(ExtendPart request) => (await section.ExtendAsync(request)).Failure;

        public async Task<string?> CommitAsync(CommitPart request) => (await section.CommitAsync(request)).Failure;

        public Task UncommitAsync(CommitPart request) => section.UncommitAsync(request);

        public Task ReleaseAsync(ReleasePart request) => section.ReleaseAsync(request);

        public async Task<GeneralAdmissionQuantity?> ReturnAsync(BuyerHold hold, ReturnSeats request, IReadOnlyList<HeldSeat> seats)
        {
            var mine = seats.Where(s => s.Section == code).Select(s => s.Id).ToList();
            if (mine.Count > 0)
            {
                await section.ReturnAsync(new ReturnPart(hold.HoldId, request.OrderId, mine, null));
            }

            return null;
        }
    }

    private sealed class GeneralAdmissionKeeper(IGeneralAdmissionActor places, Guid ticketTypeId) : IPartKeeper
    {
        public async Task<string?> ExtendAsync(ExtendPart request) => (await places.ExtendAsync(request)).Failure;

        public async Task<string?> CommitAsync(CommitPart request) => (await places.CommitAsync(request)).Failure;

        public Task UncommitAsync(CommitPart request) => places.UncommitAsync(request);

        public Task ReleaseAsync(ReleasePart request) => places.ReleaseAsync(request);

        public async Task<GeneralAdmissionQuantity?> ReturnAsync(BuyerHold hold, ReturnSeats request, IReadOnlyList<HeldSeat> seats)
        {
            var everything = request.SeatIds is null && request.GeneralAdmission is null;
            var had = hold.GeneralAdmission.Where(g => g.TicketTypeId == ticketTypeId).Sum(g => g.Quantity);
            var asked = everything ? had : Math.Min(had, request.GeneralAdmission?.Where(g => g.TicketTypeId == ticketTypeId).Sum(g => g.Quantity) ?? 0);
            return asked > 0
                ? new GeneralAdmissionQuantity(ticketTypeId, await places.ReturnAsync(new ReturnPart(hold.HoldId, request.OrderId, null, asked)))
                : null;
        }
    }
}
