using TicketToken.Contracts;

namespace TicketToken.Host.Tests;

/// <summary>The one table of currency decimals that receipts, e-mails and the seat map picture all read.</summary>
public sealed class MoneyTests
{
    [Theory]
    [InlineData(4900L, "EUR", "49.00")]
    [InlineData(4900L, "eur", "49.00")]
    [InlineData(4900L, "JPY", "4900")]
    [InlineData(4900L, "KWD", "4.900")]
    [InlineData(4900L, "ISK", "49.00")] // Stripe takes ISK, HUF and TWD in hundredths
    [InlineData(-1L, "EUR", "-0.01")]
    [InlineData(0L, "XOF", "0")]
    [InlineData(long.MaxValue, "USD", "92233720368547758.07")]
    public void Minor_units_read_in_the_major_unit_with_the_currencys_decimals(long minor, string currency, string expected)
    {
        Money.Major(minor, currency).Should().Be(expected);
    }

    [Fact]
    public void Receipts_mails_and_the_seat_map_agree_on_an_amount()
    {
        Orders.Domain.Receipts.Format(123456, "EUR").Should().Be("1,234.56 EUR");
        Notifications.Domain.Formats.Money(123456, "EUR", "de").Should().Be("1234,56 EUR");
        Notifications.Domain.Formats.Money(500, "JPY", "en").Should().Be("500 JPY");
    }
}
