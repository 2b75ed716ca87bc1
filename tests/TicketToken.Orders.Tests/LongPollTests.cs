using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using TicketToken.Orders.Apis;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Tests;

/// <summary>
/// How a waiting order request reads the preference, how its signal reaches every waiter, and when it reads the order again:
/// on the signal alone with one host, and also after a growing pause where other replicas may change the order unseen.
/// </summary>
public sealed class LongPollTests
{
    [Fact]
    public void The_pause_between_re_reads_doubles_from_one_second_and_stops_at_the_maximum()
    {
        var pauses = new List<TimeSpan> { LongPoll.Reread };
        for (var i = 0; i < 5; i++)
        {
            pauses.Add(LongPoll.NextReread(pauses[^1]));
        }

        pauses.Select(p => p.TotalSeconds).Should().Equal(1, 2, 4, 5, 5, 5);
        LongPoll.MaximumReread.Should().BeLessThan(LongPoll.MaximumWait, "a long wait still re-reads several times");
    }

    [Theory]
    [InlineData("wait=10", 10)]
    [InlineData("respond-async, wait=3", 3)]
    [InlineData("wait=600", 30)]
    [InlineData("wait=-1", 0)]
    [InlineData("wait=soon", 0)]
    [InlineData("", 0)]
    public void The_wait_preference_is_read_in_whole_seconds_and_capped(string prefer, int seconds) =>
        LongPoll.RequestedWait(new StringValues(prefer)).Should().Be(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Two_requests_waiting_on_one_order_both_hear_its_next_change_and_nothing_stays_behind()
    {
        var orderId = Guid.NewGuid();
        var first = OrderSignals.Next(orderId);
        var second = OrderSignals.Next(orderId);
        OrderSignals.Forget(orderId, first); // the first request answers for another reason (it re-reads, or the fan went away)
        var third = OrderSignals.Next(orderId);

        OrderSignals.Changed(orderId);

        await Task.WhenAll(second, third).WaitAsync(TimeSpan.FromSeconds(10));
        OrderSignals.Forget(orderId, second);
        OrderSignals.Forget(orderId, third);
        OrderSignals.IsWaitedOn(orderId).Should().BeFalse("a signal that fired takes the order's entry with it");

        var late = OrderSignals.Next(orderId);
        late.IsCompleted.Should().BeFalse("a request that starts waiting after a change waits for the next one");
        OrderSignals.Forget(orderId, late);
        OrderSignals.IsWaitedOn(orderId).Should().BeFalse("the last waiter to give its signal back removes the entry");
    }

    [Fact]
    public async Task With_one_host_the_wait_ends_at_the_deadline_without_another_read()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var signal = new TaskCompletionSource();

        var waiting = LongPoll.WaitForChangeAsync(signal.Task, clock.GetUtcNow().AddSeconds(10), reread: null, clock, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(9));
        var beforeTheDeadline = waiting.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(1));

        beforeTheDeadline.Should().BeFalse("nothing re-reads on a timer when every change is signalled");
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeFalse("the deadline passed with nothing new: 304 without a read");
    }

    [Fact]
    public async Task A_signal_wakes_the_wait_for_a_read_with_one_host_or_many()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var alone = LongPoll.WaitForChangeAsync(signal.Task, clock.GetUtcNow().AddSeconds(10), reread: null, clock, CancellationToken.None);
        var replicated = LongPoll.WaitForChangeAsync(signal.Task, clock.GetUtcNow().AddSeconds(10), LongPoll.Reread, clock, CancellationToken.None);

        signal.SetResult();

        (await alone.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await replicated.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
    }

    [Fact]
    public async Task Where_other_replicas_write_the_wait_re_reads_after_the_pause_and_answers_at_the_deadline()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var never = new TaskCompletionSource().Task;
        var deadline = clock.GetUtcNow().AddSeconds(1.5);

        var first = LongPoll.WaitForChangeAsync(never, deadline, LongPoll.Reread, clock, CancellationToken.None);
        clock.Advance(LongPoll.Reread);
        (await first.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("after the pause the order is read again");
        var second = LongPoll.WaitForChangeAsync(never, deadline, LongPoll.NextReread(LongPoll.Reread), clock, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the pause is cut at the deadline, and the last read comes there");

        (await LongPoll.WaitForChangeAsync(never, deadline, LongPoll.Reread, clock, CancellationToken.None)).Should().BeFalse("past the deadline: 304");
    }
}
