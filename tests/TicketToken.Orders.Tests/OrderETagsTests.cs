using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Tests;

/// <summary>
/// What a waiting order request may skip reading: the tag this process last answered, and only while no change committed
/// since the read that produced it. The registry is process-wide and other tests' hosts drop all of it whenever an event
/// changes, so these run alone.
/// </summary>
[Collection(Name)]
public sealed class OrderETagsTests
{
    public const string Name = "order tags, alone";

    private readonly Guid _order = Guid.NewGuid();
    private readonly Guid _buyer = Guid.NewGuid();

    [Fact]
    public void A_read_tag_is_current_for_its_buyer_until_the_order_changes()
    {
        OrderETags.Read(_order, OrderETags.Reading(_order, _buyer), "\"one\"");

        OrderETags.IsCurrent(_order, _buyer, "\"one\"").Should().BeTrue();
        OrderETags.IsCurrent(_order, _buyer, "\"older\"").Should().BeFalse("a client with another tag needs the answer");
        OrderETags.IsCurrent(_order, Guid.NewGuid(), "\"one\"").Should().BeFalse("another person's request reads, and is refused there");

        OrderSignals.Changed(_order);

        OrderETags.IsCurrent(_order, _buyer, "\"one\"").Should().BeFalse("a committed change drops what was known");
    }

    [Fact]
    public void A_tag_read_while_the_order_changed_is_not_remembered()
    {
        var reading = OrderETags.Reading(_order, _buyer);
        OrderSignals.Changed(_order); // committed after the read began: the read may have seen the old order

        OrderETags.Read(_order, reading, "\"maybe-old\"");

        OrderETags.IsCurrent(_order, _buyer, "\"maybe-old\"").Should().BeFalse();
    }

    [Fact]
    public void Of_two_reads_around_a_change_only_the_later_one_is_remembered()
    {
        var before = OrderETags.Reading(_order, _buyer);
        OrderSignals.Changed(_order);
        var after = OrderETags.Reading(_order, _buyer);

        OrderETags.Read(_order, before, "\"old\"");
        OrderETags.IsCurrent(_order, _buyer, "\"old\"").Should().BeFalse("the earlier read's announcement is gone, even though the later one looks the same");
        OrderETags.Read(_order, after, "\"new\"");

        OrderETags.IsCurrent(_order, _buyer, "\"new\"").Should().BeTrue();
    }

    [Fact]
    public void A_change_to_any_event_drops_every_remembered_tag()
    {
        var other = Guid.NewGuid();
        OrderETags.Read(_order, OrderETags.Reading(_order, _buyer), "\"a\"");
        OrderETags.Read(other, OrderETags.Reading(other, _buyer), "\"b\"");

        OrderETags.EventChanged();

        OrderETags.IsCurrent(_order, _buyer, "\"a\"").Should().BeFalse();
        OrderETags.IsCurrent(other, _buyer, "\"b\"").Should().BeFalse("an event's name and start are in every order's answer");
    }
}

[CollectionDefinition(OrderETagsTests.Name, DisableParallelization = true)]
public sealed class OrderETagsCollection;
