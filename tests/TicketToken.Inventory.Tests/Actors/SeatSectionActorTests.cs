using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Actors;
using TicketToken.Inventory.Domain;
using TicketToken.Testing.Actors;

namespace TicketToken.Inventory.Tests.Actors;

/// <summary>
/// One section's seat picking and hold expiry, in the section actor alone (<see cref="ActorTestHost"/>: real turns over an
/// in-memory store, reminders fired when the test moves the clock). Section A of three rows of six seats: rows 1 and 2 are
/// zone FRONT, row 3 is zone BACK; seat A-2-6 is blocked.
/// </summary>
public sealed class SeatSectionActorTests : IAsyncLifetime
{
    private static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(10);
    private readonly Guid _eventId = Guid.NewGuid();
    private readonly PublishedEvents _published = new();
    private ActorTestHost _actors = null!;

    private string SectionId => InventoryActors.SectionId(_eventId, "A").Id;

    private ISeatSectionActor Section => _actors.Proxy<ISeatSectionActor>(InventoryActors.Section, SectionId);

    private DateTimeOffset Now => _actors.Clock.GetUtcNow();

    public async Task InitializeAsync()
    {
        _actors = ActorTestHost.Create(services => services.AddKeyedSingleton<IEventPublisher>(InventoryModule.Id, _published),
            (typeof(SeatSectionActor), InventoryActors.Section));
        var rows = Enumerable.Range(1, 3).Select(r => new PublishedRow($"{r}", r - 1, [.. Enumerable.Range(1, 6)
            .Select(n => new PublishedSeat($"A-{r}-{n}", $"{n}", r < 3 ? "FRONT" : "BACK", false, false, r == 2 && n == 6, n, r))])).ToList();
        await Section.InitializeAsync(new SectionLayout(_eventId, "A", "Block A", rows, 1));
    }

    public async Task DisposeAsync() => await _actors.DisposeAsync();

    [Fact]
    public async Task Seats_held_once_are_refused_to_a_second_hold_and_unknown_seats_are_named()
    {
        var first = await Section.HoldSeatsAsync(new HoldSpecificSeats(Guid.NewGuid(), Guid.NewGuid(), ["A-1-1", "A-1-2"], Now + HoldFor));
        first.Failure.Should().BeNull();
        first.Seats.Select(s => s.Id).Should().Equal("A-1-1", "A-1-2");

        var second = await Section.HoldSeatsAsync(new HoldSpecificSeats(Guid.NewGuid(), Guid.NewGuid(), ["A-1-2", "A-1-3"], Now + HoldFor));
        second.Failure.Should().Be(HoldFailures.SeatUnavailable);
        second.Conflicts.Should().Equal("A-1-2");

        var unknown = await Section.HoldSeatsAsync(new HoldSpecificSeats(Guid.NewGuid(), Guid.NewGuid(), ["A-9-9"], Now + HoldFor));
        unknown.Failure.Should().Be(HoldFailures.UnknownSeat);
        unknown.Conflicts.Should().Equal("A-9-9");
        (await SeatStatusesAsync()).Where(s => s.Value == "held").Select(s => s.Key).Should().BeEquivalentTo(["A-1-1", "A-1-2"]);
    }

    [Fact]
    public async Task The_same_hold_asked_again_answers_the_same_seats_without_taking_more()
    {
        var holdId = Guid.NewGuid();
        var request = new HoldSpecificSeats(holdId, Guid.NewGuid(), ["A-3-1"], Now + HoldFor);
        (await Section.HoldSeatsAsync(request)).Seats.Select(s => s.Id).Should().Equal("A-3-1");
        (await Section.HoldSeatsAsync(request)).Seats.Select(s => s.Id).Should().Equal("A-3-1");

        var best = new HoldBestSeats(Guid.NewGuid(), Guid.NewGuid(), 2, "BACK", Now + HoldFor);
        var picked = (await Section.HoldBestAsync(best)).Seats.Select(s => s.Id).ToList();
        (await Section.HoldBestAsync(best)).Seats.Select(s => s.Id).Should().Equal(picked);
        (await SeatStatusesAsync()).Count(s => s.Value == "held").Should().Be(3);
    }

    [Fact]
    public async Task Best_available_takes_adjacent_seats_in_the_best_row_of_the_zone_around_the_taken_and_blocked_ones()
    {
        // Row 1 has four seats left, none adjacent in threes; row 2 has five (seat 6 is blocked), so three go there.
        await Section.HoldSeatsAsync(new HoldSpecificSeats(Guid.NewGuid(), Guid.NewGuid(), ["A-1-3", "A-1-4"], Now + HoldFor));

        var picked = await Section.HoldBestAsync(new HoldBestSeats(Guid.NewGuid(), Guid.NewGuid(), 3, "FRONT", Now + HoldFor));

        picked.Failure.Should().BeNull();
        picked.Seats.Should().HaveCount(3).And.OnlyContain(s => s.Row == "2" && s.PriceZone == "FRONT");
        var numbers = picked.Seats.Select(s => int.Parse(s.Number, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        numbers.Should().Equal(Enumerable.Range(numbers[0], 3), "the seats are adjacent");
        picked.Seats.Should().NotContain(s => s.Id == "A-2-6", "a blocked seat is never sold");

        var tooMany = await Section.HoldBestAsync(new HoldBestSeats(Guid.NewGuid(), Guid.NewGuid(), 7, "BACK", Now + HoldFor));
        tooMany.Failure.Should().Be(HoldFailures.NotEnoughSeats);
    }

    [Fact]
    public async Task A_hold_is_released_when_the_clock_passes_its_expiry_and_seats_released_says_so()
    {
        var holdId = Guid.NewGuid();
        await Section.HoldSeatsAsync(new HoldSpecificSeats(holdId, Guid.NewGuid(), ["A-1-1", "A-1-2"], Now + HoldFor));

        _actors.Clock.Advance(HoldFor - TimeSpan.FromSeconds(1));
        await _actors.FireDueRemindersAsync();
        (await SeatStatusesAsync())["A-1-1"].Should().Be("held", "the hold has a second left");
        _published.On<SeatsReleased>(SeatsReleased.Topic).Should().BeEmpty();

        _actors.Clock.Advance(TimeSpan.FromSeconds(1));
        (await _actors.FireDueRemindersAsync()).Should().BeGreaterThan(0);

        (await SeatStatusesAsync()).Where(s => s.Key is "A-1-1" or "A-1-2").Should().OnlyContain(s => s.Value == "available");
        var released = _published.On<SeatsReleased>(SeatsReleased.Topic).Should().ContainSingle().Subject;
        released.HoldId.Should().Be(holdId);
        released.Seats.Should().BeEquivalentTo(["A-1-1", "A-1-2"]);
        released.Reason.Should().Be("expired");
        _actors.Store.Reminders.Should().BeEmpty("nothing is held any more, so nothing is armed");
    }

    [Fact]
    public async Task An_extended_hold_outlives_its_first_expiry_and_a_late_commit_is_refused()
    {
        var extended = Guid.NewGuid();
        var lapsed = Guid.NewGuid();
        await Section.HoldSeatsAsync(new HoldSpecificSeats(extended, Guid.NewGuid(), ["A-1-1"], Now + HoldFor));
        await Section.HoldSeatsAsync(new HoldSpecificSeats(lapsed, Guid.NewGuid(), ["A-1-6"], Now + HoldFor));
        (await Section.ExtendAsync(new ExtendPart(extended, Now + HoldFor * 2))).Failure.Should().BeNull();

        _actors.Clock.Advance(HoldFor);
        await _actors.FireDueRemindersAsync();

        var statuses = await SeatStatusesAsync();
        statuses["A-1-1"].Should().Be("held");
        statuses["A-1-6"].Should().Be("available");
        (await Section.CommitAsync(new CommitPart(lapsed, Guid.NewGuid()))).Failure.Should().Be(HoldFailures.HoldExpired);
        (await Section.ExtendAsync(new ExtendPart(lapsed, Now + HoldFor))).Failure.Should().Be(HoldFailures.HoldExpired);

        _actors.Clock.Advance(HoldFor);
        await _actors.FireDueRemindersAsync();
        (await SeatStatusesAsync())["A-1-1"].Should().Be("available", "the extension ran out too");
    }

    [Fact]
    public async Task A_committed_hold_is_sold_and_stays_sold_past_its_expiry_even_after_a_restart()
    {
        var holdId = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await Section.HoldSeatsAsync(new HoldSpecificSeats(holdId, Guid.NewGuid(), ["A-3-1", "A-3-2"], Now + HoldFor));
        (await Section.CommitAsync(new CommitPart(holdId, orderId))).Failure.Should().BeNull();
        (await Section.CommitAsync(new CommitPart(holdId, Guid.NewGuid()))).Failure.Should().Be(HoldFailures.AlreadySold);

        await _actors.DeactivateAsync(InventoryActors.Section, SectionId);
        _actors.Clock.Advance(HoldFor * 3);
        await _actors.FireDueRemindersAsync();

        (await SeatStatusesAsync()).Where(s => s.Key is "A-3-1" or "A-3-2").Should().OnlyContain(s => s.Value == "sold");
        _published.On<SeatsReleased>(SeatsReleased.Topic).Should().BeEmpty();
        var back = await Section.ReturnAsync(new ReturnPart(holdId, orderId, ["A-3-2"], null));
        back.Should().Equal("A-3-2");
        (await SeatStatusesAsync())["A-3-2"].Should().Be("available");
    }

    private async Task<Dictionary<string, string>> SeatStatusesAsync() =>
        (await Section.GetStatusAsync()).Seats.ToDictionary(s => s.Id, s => s.Status);
}
