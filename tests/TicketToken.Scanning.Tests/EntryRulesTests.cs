using TicketToken.Contracts.Catalog;
using TicketToken.Scanning.Domain;

namespace TicketToken.Scanning.Tests;

/// <summary>
/// The gate's decision over a ticket's history (<see cref="EntryRules"/>) and a gate's zone (<see cref="ScanPolicy.Admits"/>)
/// for every policy template, alone: no host, no database, no clock but the times written here. The same rules run through
/// HTTP in <see cref="GateTests"/> and <see cref="PolicyTemplateTests"/>.
/// </summary>
public sealed class EntryRulesTests
{
    private static readonly DateTimeOffset Doors = new(2026, 12, 7, 19, 0, 0, TimeSpan.Zero);
    private static readonly Guid Device = Guid.NewGuid();

    private static ScanPolicy Template(string name) => ScanPolicy.Templates[name];

    private static Passage In(int minute) => new(Guid.NewGuid(), Device, ScanDirections.Entry, Doors.AddMinutes(minute));

    private static Passage Out(int minute) => new(Guid.NewGuid(), Device, ScanDirections.Exit, Doors.AddMinutes(minute));

    private static string? Enter(string template, int minute, params Passage[] history) =>
        EntryRules.Check(history, Template(template), ScanDirections.Entry, Doors.AddMinutes(minute));

    [Theory]
    [InlineData(ScanPolicy.Standard)]
    [InlineData(ScanPolicy.Festival)]
    [InlineData(ScanPolicy.Concert)]
    [InlineData(ScanPolicy.Conference)]
    [InlineData(ScanPolicy.Vip)]
    public void A_ticket_never_scanned_enters_under_every_template(string template) =>
        Enter(template, 0).Should().BeNull();

    [Fact]
    public void A_second_entry_inside_the_duplicate_window_is_a_duplicate_and_after_it_re_entry_rules_decide()
    {
        Enter(ScanPolicy.Standard, 4, In(0)).Should().Be(ScanReasons.Duplicate, "standard's window is five minutes");
        Enter(ScanPolicy.Standard, 5, In(0)).Should().Be(ScanReasons.ReentryNotAllowed);
        Enter(ScanPolicy.Festival, 29, In(0), Out(10)).Should().Be(ScanReasons.Duplicate, "festival's window is thirty minutes, exit or not");
        Enter(ScanPolicy.Festival, 30, In(0), Out(10)).Should().BeNull();
    }

    [Fact]
    public void Re_entry_needs_a_recorded_exit_where_it_is_allowed()
    {
        Enter(ScanPolicy.Festival, 45, In(0)).Should().Be(ScanReasons.AlreadyInside);
        Enter(ScanPolicy.Conference, 1, In(0)).Should().Be(ScanReasons.AlreadyInside, "conference has no duplicate window");
        Enter(ScanPolicy.Conference, 1, In(0), Out(0)).Should().BeNull();
        Enter(ScanPolicy.Standard, 60, In(0), Out(30)).Should().Be(ScanReasons.ReentryNotAllowed, "standard admits once");
        Enter(ScanPolicy.Vip, 60, In(0), Out(30)).Should().Be(ScanReasons.ReentryNotAllowed);
    }

    [Fact]
    public void Concert_allows_one_re_entry_and_no_second()
    {
        Enter(ScanPolicy.Concert, 60, In(0), Out(30)).Should().BeNull();
        Enter(ScanPolicy.Concert, 120, In(0), Out(30), In(60), Out(90)).Should().Be(ScanReasons.ReentryLimitReached);
        Enter(ScanPolicy.Festival, 500, In(0), Out(30), In(60), Out(90), In(120), Out(150)).Should().BeNull("festival's re-entries are unlimited");
    }

    [Fact]
    public void An_exit_is_allowed_only_from_inside()
    {
        EntryRules.Check([], Template(ScanPolicy.Festival), ScanDirections.Exit, Doors).Should().Be(ScanReasons.NotInside);
        EntryRules.Check([In(0)], Template(ScanPolicy.Festival), ScanDirections.Exit, Doors.AddMinutes(1)).Should().BeNull();
        EntryRules.Check([In(0), Out(1)], Template(ScanPolicy.Festival), ScanDirections.Exit, Doors.AddMinutes(2)).Should().Be(ScanReasons.NotInside);
    }

    [Fact]
    public void Zones_nest_unless_the_policy_is_strict_and_vip_all_access_opens_backstage()
    {
        var standard = Template(ScanPolicy.Standard);
        standard.Admits(AccessZones.Backstage, AccessZones.GeneralAdmission).Should().BeTrue("BACKSTAGE contains VIP contains GA");
        standard.Admits(AccessZones.Vip, AccessZones.GeneralAdmission).Should().BeTrue();
        standard.Admits(AccessZones.GeneralAdmission, AccessZones.Vip).Should().BeFalse();
        standard.Admits(AccessZones.Vip, AccessZones.Backstage).Should().BeFalse();
        standard.Admits(AccessZones.GeneralAdmission, "ROOFTOP").Should().BeFalse("an unknown zone admits nobody");

        var concert = Template(ScanPolicy.Concert);
        concert.Admits(AccessZones.Vip, AccessZones.GeneralAdmission).Should().BeFalse("concert's zones are strict");
        concert.Admits(AccessZones.Vip, AccessZones.Vip).Should().BeTrue();

        var vip = Template(ScanPolicy.Vip);
        vip.Admits(AccessZones.Vip, AccessZones.Backstage).Should().BeTrue();
        vip.Admits(AccessZones.GeneralAdmission, AccessZones.Backstage).Should().BeFalse();
    }

    [Fact]
    public void Replaying_offline_admissions_in_time_order_keeps_the_earliest_and_finds_the_conflict()
    {
        // Two gates offline admitted one ticket at 19:00 and 19:20 (standard); replayed as reconciliation does, the first stands.
        var accepted = new List<Passage>();
        var conflicts = new List<(Passage Passage, string Reason)>();
        foreach (var passage in new[] { In(20), In(0) }.OrderBy(p => p.At))
        {
            if (EntryRules.Check(accepted, Template(ScanPolicy.Standard), passage.Direction, passage.At) is { } reason)
            {
                conflicts.Add((passage, reason));
                continue;
            }

            accepted.Add(passage);
        }

        accepted.Should().ContainSingle().Which.At.Should().Be(Doors);
        conflicts.Should().ContainSingle().Which.Reason.Should().Be(ScanReasons.ReentryNotAllowed);
    }
}
