using Npgsql;
using TicketToken.Contracts.Orders;
using TicketToken.Payments.Domain;
using TicketToken.Testing;

namespace TicketToken.Payments.Tests;

/// <summary>
/// The double-entry ledger, posted from orders' events and checked in the database: every transaction sums to zero, a
/// sale and its refunds leave every account where it was, each source posts once, and bad amounts post nothing.
/// </summary>
public sealed class LedgerTests(PaymentsFixture fixture) : IClassFixture<PaymentsFixture>
{
    // Face value 100.00, a 10.00 discount, 15.00 of fees and 8.00 of tax: the buyer pays 113.00; the processor keeps 3.58.
    private static readonly OrderAmounts Sale = new(FaceValue: 10_000, Discount: 1_000, Fees: 1_500, Tax: 800, Total: 11_300);
    private const long ProcessorFee = 358;

    [Fact]
    public async Task A_sale_posts_the_payment_the_fee_the_revenue_the_tax_and_the_organizers_share()
    {
        var organizerId = Guid.NewGuid();

        var order = await fixture.ConfirmOrderAsync(organizerId, Sale, ProcessorFee);

        var accounts = await AccountsOfOrderAsync(order.OrderId);
        accounts.Should().Equal(new Dictionary<string, long>
        {
            [LedgerAccounts.Cash] = 11_300 - 358,
            [LedgerAccounts.ProcessorFees] = 358,
            [LedgerAccounts.PlatformRevenue] = -1_500,
            [LedgerAccounts.TaxPayable] = -800,
            [LedgerAccounts.OrganizerPayable(organizerId)] = -9_000,
        });
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
        (await fixture.Database.ScalarAsync<long>("select count(distinct currency) from payments.journal_entries where transaction_id in "
            + "(select id from payments.journal_transactions where order_id = $1)", order.OrderId)).Should().Be(1);
    }

    [Fact]
    public async Task A_sale_and_its_full_refund_bring_every_account_back_to_zero()
    {
        var order = await fixture.ConfirmOrderAsync(Guid.NewGuid(), Sale, ProcessorFee);

        var refundId = await RefundAsync(order, Sale);

        await fixture.PostedAsync(Postings.Refund, refundId.ToString());
        (await AccountsOfOrderAsync(order.OrderId)).Values.Should().OnlyContain(balance => balance == 0);
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_partial_refund_reverses_its_share_and_the_processor_fee_in_proportion_and_the_rest_reverses_the_remainder()
    {
        var organizerId = Guid.NewGuid();
        var order = await fixture.ConfirmOrderAsync(organizerId, Sale, ProcessorFee);
        var half = new OrderAmounts(FaceValue: 5_000, Discount: 500, Fees: 750, Tax: 400, Total: 5_650);

        await fixture.PostedAsync(Postings.Refund, (await RefundAsync(order, half)).ToString());

        (await AccountsOfOrderAsync(order.OrderId)).Should().Equal(new Dictionary<string, long>
        {
            [LedgerAccounts.Cash] = 11_300 - 358 - 5_650 + 179,
            [LedgerAccounts.ProcessorFees] = 358 - 179,
            [LedgerAccounts.PlatformRevenue] = -750,
            [LedgerAccounts.TaxPayable] = -400,
            [LedgerAccounts.OrganizerPayable(organizerId)] = -4_500,
        });

        // Two more parts whose fee shares round down; together the three parts reverse exactly the whole fee.
        var third = new OrderAmounts(FaceValue: 2_500, Discount: 250, Fees: 375, Tax: 200, Total: 2_825);
        await fixture.PostedAsync(Postings.Refund, (await RefundAsync(order, third)).ToString());
        await fixture.PostedAsync(Postings.Refund, (await RefundAsync(order, third)).ToString());

        (await AccountsOfOrderAsync(order.OrderId)).Values.Should().OnlyContain(balance => balance == 0);
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
    }

    [Fact]
    public async Task The_same_OrderConfirmed_delivered_twice_posts_once()
    {
        var order = await fixture.ConfirmOrderAsync(Guid.NewGuid(), Sale, ProcessorFee);

        await fixture.PublishAsync(OrderConfirmed.Topic, order);
        await fixture.PublishAsync(OrderConfirmed.Topic, order);
        await fixture.DrainAsync();

        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where source_type = 'order_sale' and source_id = $1",
            order.OrderId.ToString())).Should().Be(1);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_entries where transaction_id in "
            + "(select id from payments.journal_transactions where order_id = $1)", order.OrderId)).Should().Be(6);
    }

    [Fact]
    public async Task The_same_refund_delivered_twice_posts_once()
    {
        var order = await fixture.ConfirmOrderAsync(Guid.NewGuid(), Sale, ProcessorFee);
        var refund = new OrderRefunded(order.OrderId, order.OrderNumber, Guid.NewGuid(), order.OrganizerId, order.EventId, order.Currency,
            new OrderAmounts(1_000, 0, 0, 0, 1_000), DateTimeOffset.UtcNow);

        await fixture.PublishAsync(OrderRefunded.Topic, refund);
        await fixture.PublishAsync(OrderRefunded.Topic, refund);
        await fixture.PostedAsync(Postings.Refund, refund.RefundId.ToString());
        await fixture.DrainAsync();

        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where order_id = $1", order.OrderId)).Should().Be(2);
    }

    [Fact]
    public async Task A_refund_that_arrives_before_its_sale_waits_for_it()
    {
        var organizerId = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        var sale = new OrderConfirmed(orderId, "TT-EARLY", Guid.NewGuid(), organizerId, Guid.NewGuid(), "usd", Sale, ProcessorFee, "pi_early", DateTimeOffset.UtcNow);
        var refund = new OrderRefunded(orderId, "TT-EARLY", Guid.NewGuid(), organizerId, sale.EventId, "usd", Sale, DateTimeOffset.UtcNow);

        await fixture.PublishAsync(OrderRefunded.Topic, refund);
        await fixture.PublishAsync(OrderConfirmed.Topic, sale);

        await fixture.PostedAsync(Postings.Refund, refund.RefundId.ToString());
        (await AccountsOfOrderAsync(orderId)).Values.Should().OnlyContain(balance => balance == 0);
    }

    [Fact]
    public async Task Amounts_that_do_not_add_up_and_refunds_beyond_the_sale_post_nothing_and_are_dead_lettered()
    {
        var order = await fixture.ConfirmOrderAsync(Guid.NewGuid(), Sale, ProcessorFee);
        var wrongTotal = new OrderConfirmed(Guid.NewGuid(), "TT-WRONG", Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "usd",
            Sale with { Total = 11_299 }, ProcessorFee, "pi_wrong", DateTimeOffset.UtcNow);
        var tooMuch = new OrderRefunded(order.OrderId, order.OrderNumber, Guid.NewGuid(), order.OrganizerId, order.EventId, "usd",
            Sale with { FaceValue = 10_001, Total = 11_301 }, DateTimeOffset.UtcNow);
        var otherCurrency = new OrderRefunded(order.OrderId, order.OrderNumber, Guid.NewGuid(), order.OrganizerId, order.EventId, "eur",
            new OrderAmounts(100, 0, 0, 0, 100), DateTimeOffset.UtcNow);

        await fixture.PublishAsync(OrderConfirmed.Topic, wrongTotal);
        await fixture.PublishAsync(OrderRefunded.Topic, tooMuch);
        await fixture.PublishAsync(OrderRefunded.Topic, otherCurrency);
        await fixture.DrainAsync();

        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where order_id in ($1, $2)", wrongTotal.OrderId, order.OrderId))
            .Should().Be(1, "only the good sale is posted");
        foreach (var id in new[] { wrongTotal.OrderId, tooMuch.RefundId, otherCurrency.RefundId })
        {
            (await fixture.Database.ScalarAsync<long>("select count(*) from runtime.dead_letters where event::text like '%' || $1 || '%'", id.ToString()))
                .Should().Be(1, "{0} waits for an operator", id);
        }
    }

    [Fact]
    public async Task The_database_refuses_a_transaction_that_does_not_balance_and_any_change_to_posted_entries()
    {
        var order = await fixture.ConfirmOrderAsync(Guid.NewGuid(), Sale, ProcessorFee);
        var id = Guid.NewGuid();

        var unbalanced = async () => await fixture.Database.ExecuteAsync($"""
            insert into payments.journal_transactions (id, source_type, source_id, currency, description, posted_at) values ('{id}', 'test', '{id}', 'usd', 'unbalanced', now());
            insert into payments.journal_entries (transaction_id, currency, account, amount, posted_at) values ('{id}', 'usd', 'cash', 100, now()), ('{id}', 'usd', 'platform_revenue', -99, now());
            """);
        var mixed = async () => await fixture.Database.ExecuteAsync($"""
            insert into payments.journal_transactions (id, source_type, source_id, currency, description, posted_at) values ('{id}', 'test', '{id}', 'usd', 'mixed', now());
            insert into payments.journal_entries (transaction_id, currency, account, amount, posted_at) values ('{id}', 'usd', 'cash', 100, now()), ('{id}', 'eur', 'platform_revenue', -100, now());
            """);
        var rewrite = async () => await fixture.Database.ExecuteAsync(
            $"update payments.journal_entries set amount = amount * 2 where transaction_id in (select id from payments.journal_transactions where order_id = '{order.OrderId}')");

        (await unbalanced.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.CheckViolation);
        (await mixed.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.ForeignKeyViolation);
        (await rewrite.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where id = $1", id)).Should().Be(0);
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
    }

    [Fact]
    public void The_code_refuses_a_posting_that_does_not_balance_or_mixes_nothing_but_zeros()
    {
        var unbalanced = () => new Posting("test", "1", "usd", "unbalanced", [(LedgerAccounts.Cash, 100), (LedgerAccounts.PlatformRevenue, -99)]);
        var oneSided = () => new Posting("test", "2", "usd", "one line", [(LedgerAccounts.Cash, 0), (LedgerAccounts.PlatformRevenue, 0)]);
        var badCurrency = () => new Posting("test", "3", "dollars", "currency", [(LedgerAccounts.Cash, 1), (LedgerAccounts.PlatformRevenue, -1)]);

        unbalanced.Should().Throw<InvalidPostingException>().WithMessage("*does not balance*");
        oneSided.Should().Throw<InvalidPostingException>();
        badCurrency.Should().Throw<InvalidPostingException>().WithMessage("*ISO 4217*");
    }

    private async Task<Guid> RefundAsync(OrderConfirmed order, OrderAmounts amounts)
    {
        var refund = new OrderRefunded(order.OrderId, order.OrderNumber, Guid.NewGuid(), order.OrganizerId, order.EventId, order.Currency, amounts, DateTimeOffset.UtcNow);
        await fixture.PublishAsync(OrderRefunded.Topic, refund);
        return refund.RefundId;
    }

    /// <summary>The balance of each account over the order's transactions (its sale and refunds).</summary>
    private async Task<Dictionary<string, long>> AccountsOfOrderAsync(Guid orderId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select e.account, sum(e.amount)::bigint from payments.journal_entries e
            join payments.journal_transactions t on t.id = e.transaction_id
            where t.order_id = $1 group by e.account
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = orderId });
        var balances = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            balances[reader.GetString(0)] = reader.GetInt64(1);
        }

        return balances;
    }
}
