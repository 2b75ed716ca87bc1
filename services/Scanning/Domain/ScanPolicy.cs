using System.ComponentModel.DataAnnotations;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Scanning.Domain;

/// <summary>
/// How an event's gates admit a ticket. <see cref="DuplicateWindowMinutes"/>: a second entry this soon after the last
/// admission is a duplicate (0: no window). Re-entry needs a recorded exit; <see cref="MaxReentries"/> null is unlimited.
/// <see cref="StrictZones"/>: a ticket enters only at gates of its own zone; otherwise a zone admits the zones it contains
/// (BACKSTAGE ⊃ VIP ⊃ GA). <see cref="VipAllAccess"/>: a VIP ticket also enters BACKSTAGE. Check-in opens
/// <see cref="CheckInOpensMinutesBefore"/> the start and closes <see cref="CheckInClosesMinutesAfter"/> the end.
/// </summary>
public sealed record ScanPolicy(
    [property: Required, AllowedValues(ScanPolicy.Custom, ScanPolicy.Standard, ScanPolicy.Festival, ScanPolicy.Concert, ScanPolicy.Conference, ScanPolicy.Vip)] string Template,
    [property: Range(0, 24 * 60)] int DuplicateWindowMinutes,
    bool ReentryAllowed,
    [property: Range(0, 1000)] int? MaxReentries,
    bool StrictZones,
    bool VipAllAccess,
    [property: Range(0, 7 * 24 * 60)] int CheckInOpensMinutesBefore = 240,
    [property: Range(0, 7 * 24 * 60)] int CheckInClosesMinutesAfter = 120)
{
    public const string Standard = "standard";
    public const string Festival = "festival";
    public const string Concert = "concert";
    public const string Conference = "conference";
    public const string Vip = "vip";
    public const string Custom = "custom";

    /// <summary>The templates, with the seed values of the issue; an event without a policy of its own uses Standard.</summary>
    public static IReadOnlyDictionary<string, ScanPolicy> Templates { get; } = new Dictionary<string, ScanPolicy>
    {
        [Standard] = new(Standard, DuplicateWindowMinutes: 5, ReentryAllowed: false, MaxReentries: 0, StrictZones: false, VipAllAccess: false),
        [Festival] = new(Festival, DuplicateWindowMinutes: 30, ReentryAllowed: true, MaxReentries: null, StrictZones: false, VipAllAccess: false),
        [Concert] = new(Concert, DuplicateWindowMinutes: 10, ReentryAllowed: true, MaxReentries: 1, StrictZones: true, VipAllAccess: false),
        [Conference] = new(Conference, DuplicateWindowMinutes: 0, ReentryAllowed: true, MaxReentries: null, StrictZones: false, VipAllAccess: false),
        [Vip] = new(Vip, DuplicateWindowMinutes: 5, ReentryAllowed: false, MaxReentries: 0, StrictZones: false, VipAllAccess: true),
    };

    public static ScanPolicy Default => Templates[Standard];

    /// <summary>Whether a ticket of <paramref name="ticketZone"/> may enter at a gate of <paramref name="gateZone"/>.</summary>
    public bool Admits(string ticketZone, string gateZone)
    {
        if (VipAllAccess && ticketZone == AccessZones.Vip && AccessZones.Rank(gateZone) >= 0)
        {
            return true;
        }

        return StrictZones ? ticketZone == gateZone && AccessZones.Rank(gateZone) >= 0 : AccessZones.Admits(ticketZone, gateZone);
    }
}
