using Microsoft.AspNetCore.WebUtilities;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Tests;

public sealed class StripeFormTests
{
    [Fact]
    public void Nested_objects_become_bracketed_keys_at_any_depth()
    {
        var pairs = StripeForm.Flatten(new Dictionary<string, object?>
        {
            ["metadata"] = new Dictionary<string, string> { ["order_id"] = "ord_42", ["fan"] = "f_7" },
            ["capabilities"] = new Dictionary<string, object?>
            {
                ["card_payments"] = new Dictionary<string, object?> { ["requested"] = true },
                ["transfers"] = new Dictionary<string, object?> { ["requested"] = false },
            },
        });

        pairs.Should().Equal(
            Pair("metadata[order_id]", "ord_42"),
            Pair("metadata[fan]", "f_7"),
            Pair("capabilities[card_payments][requested]", "true"),
            Pair("capabilities[transfers][requested]", "false"));
    }

    [Fact]
    public void Lists_become_indexed_keys_and_lists_of_objects_index_then_nest()
    {
        var pairs = StripeForm.Flatten(new Dictionary<string, object?>
        {
            ["expand"] = new[] { "latest_charge", "customer" },
            ["items"] = new[]
            {
                new Dictionary<string, object?> { ["price"] = "price_a", ["quantity"] = 2 },
                new Dictionary<string, object?> { ["price"] = "price_b", ["quantity"] = 1L },
            },
        });

        pairs.Should().Equal(
            Pair("expand[0]", "latest_charge"),
            Pair("expand[1]", "customer"),
            Pair("items[0][price]", "price_a"),
            Pair("items[0][quantity]", "2"),
            Pair("items[1][price]", "price_b"),
            Pair("items[1][quantity]", "1"));
    }

    [Fact]
    public void Scalars_are_invariant_integers_lowercase_booleans_and_unix_seconds()
    {
        var pairs = StripeForm.Flatten(new Dictionary<string, object?>
        {
            ["amount"] = 1_234_567_890_123L,
            ["confirm"] = true,
            ["due"] = new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.FromHours(1)),
        });

        // 2023-11-14T21:13:20Z, counted from 1970-01-01 independently of the encoder.
        var expectedSeconds = (long)(new DateTime(2023, 11, 14, 21, 13, 20, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
        pairs.Should().Equal(
            Pair("amount", "1234567890123"),
            Pair("confirm", "true"),
            Pair("due", expectedSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Null_values_are_left_out_and_empty_values_are_sent_as_unset()
    {
        var pairs = StripeForm.Flatten(new Dictionary<string, object?>
        {
            ["description"] = null,
            ["metadata"] = new Dictionary<string, string>(),
            ["expand"] = Array.Empty<string>(),
            ["statement_descriptor"] = "",
        });

        pairs.Should().Equal(Pair("metadata", ""), Pair("expand", ""), Pair("statement_descriptor", ""));
    }

    [Fact]
    public void Values_are_percent_encoded_with_spaces_as_plus_and_brackets_stay_readable_in_keys()
    {
        var parameters = new Dictionary<string, object?>
        {
            ["metadata"] = new Dictionary<string, string> { ["event name"] = "Jazz & Blues = 100% fun", ["city"] = "Zürich" },
            ["return_url"] = "https://tickettoken.example/return?x=1&y=[2]",
        };

        var body = StripeForm.Encode(parameters);

        body.Should().StartWith("metadata[event+name]=Jazz+%26+Blues+%3D+100%25+fun&metadata[city]=Z%C3%BCrich&");
        QueryHelpers.ParseQuery(body).ToDictionary(p => p.Key, p => p.Value.ToString()).Should().Equal(new Dictionary<string, string>
        {
            ["metadata[event name]"] = "Jazz & Blues = 100% fun",
            ["metadata[city]"] = "Zürich",
            ["return_url"] = "https://tickettoken.example/return?x=1&y=[2]",
        });
    }

    [Fact]
    public void A_value_without_a_form_encoding_is_refused_rather_than_sent_as_its_type_name()
    {
        var encode = () => StripeForm.Encode(new Dictionary<string, object?> { ["amount"] = 12.5m });

        encode.Should().Throw<ArgumentException>().WithMessage("*'amount'*Decimal*");
    }

    private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);
}
