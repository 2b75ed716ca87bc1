using Microsoft.Extensions.Primitives;
using TicketToken.Orders.Apis;

namespace TicketToken.Orders.Tests;

/// <summary>How a waiting order request reads the preference and how often it re-reads when nothing signalled a change.</summary>
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
}
