using System.Text.Json;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Payments;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;
using TicketToken.Orders.Workflows.Activities;

namespace TicketToken.Orders.Tests;

/// <summary>
/// Statuses became enums after rows, workflow histories and messages had been written with them as text: what was
/// written then reads back, and what is written now is the same text, in every JSON dialect the host speaks.
/// </summary>
public sealed class StoredTextTests
{
    public static TheoryData<string, OrderStatus> OrderStatusTexts => new()
    {
        { "pending_payment", OrderStatus.PendingPayment }, { "paid", OrderStatus.Paid }, { "confirmed", OrderStatus.Confirmed }, { "failed", OrderStatus.Failed },
        { "expired", OrderStatus.Expired }, { "cancelled", OrderStatus.Cancelled }, { "refunded", OrderStatus.Refunded },
        { "partially_refunded", OrderStatus.PartiallyRefunded },
    };

    /// <summary>The runtime's dialect (state, workflows, pub/sub), the HTTP answers' (web defaults and a plain enum converter), and none at all.</summary>
    public static IEnumerable<JsonSerializerOptions> Dialects()
    {
        yield return RuntimeJson.Options;
        var http = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        http.Converters.Add(new JsonStringEnumConverter());
        yield return http;
        yield return JsonSerializerOptions.Web;
    }

    [Theory]
    [MemberData(nameof(OrderStatusTexts))]
    public void An_order_status_is_the_text_it_always_was_in_the_database_and_in_json(string text, OrderStatus status)
    {
        var column = new StoredNameConverter<OrderStatus>();

        column.ConvertFromProvider(text).Should().Be(status);
        column.ConvertToProvider(status).Should().Be(text);
        status.StoredName().Should().Be(text);
        foreach (var dialect in Dialects())
        {
            JsonSerializer.Serialize(status, dialect).Should().Be($"\"{text}\"");
            JsonSerializer.Deserialize<OrderStatus>($"\"{text}\"", dialect).Should().Be(status);
        }
    }

    [Fact]
    public void The_schema_clients_read_lists_the_stored_texts()
    {
        // The OpenAPI document's schemas come from System.Text.Json's exporter over the HTTP dialect.
        var http = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        http.Converters.Add(new JsonStringEnumConverter());

        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(http, typeof(OrderStatus));

        schema["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal(
            "pending_payment", "paid", "confirmed", "failed", "expired", "cancelled", "refunded", "partially_refunded");
    }

    [Fact]
    public void A_status_no_order_ever_had_is_refused_rather_than_guessed()
    {
        StoredNames<OrderStatus>.TryParse("PendingPayment", out _).Should().BeFalse();
        StoredNames<OrderStatus>.TryParse(null, out _).Should().BeFalse();
        var read = () => new StoredNameConverter<OrderStatus>().ConvertFromProvider("shipped");
        read.Should().Throw<FormatException>();
    }

    [Fact]
    public void A_purchase_history_written_with_text_statuses_replays_into_the_enums()
    {
        // As a workflow history recorded them before: the raised payment event, the finishing activity's input, the workflow's result.
        const string raised = """{"kind":"cancelled","paymentIntentId":null,"processorFee":0,"code":"cancelled_by_buyer","message":"The buyer cancelled the order."}""";
        const string finish = """{"orderId":"0197a3c7-0000-7000-8000-000000000001","status":"expired","code":"payment_not_received","message":null}""";
        const string result = """{"status":"confirmed","failureCode":null}""";

        foreach (var dialect in Dialects())
        {
            JsonSerializer.Deserialize<PaymentOutcome>(raised, dialect)!.Kind.Should().Be(PaymentOutcomeKind.Cancelled);
            JsonSerializer.Deserialize<FinishOrderInput>(finish, dialect)!.Status.Should().Be(OrderStatus.Expired);
            JsonSerializer.Deserialize<PurchaseResult>(result, dialect)!.Status.Should().Be(OrderStatus.Confirmed);
        }

        JsonSerializer.Serialize(JsonSerializer.Deserialize<PaymentOutcome>(raised, RuntimeJson.Options), RuntimeJson.Options).Should().Be(raised);
        JsonSerializer.Serialize(JsonSerializer.Deserialize<FinishOrderInput>(finish, RuntimeJson.Options), RuntimeJson.Options).Should().Be(finish);
        JsonSerializer.Serialize(JsonSerializer.Deserialize<PurchaseResult>(result, RuntimeJson.Options), RuntimeJson.Options).Should().Be(result);
    }

    [Theory]
    [InlineData("succeeded", PaymentOutcomeKind.Succeeded)]
    [InlineData("failed", PaymentOutcomeKind.Failed)]
    [InlineData("cancelled", PaymentOutcomeKind.Cancelled)]
    [InlineData("timed_out", PaymentOutcomeKind.TimedOut)]
    public void A_payment_outcome_kind_is_the_text_it_always_was(string text, PaymentOutcomeKind kind)
    {
        kind.StoredName().Should().Be(text);
        foreach (var dialect in Dialects())
        {
            JsonSerializer.Serialize(kind, dialect).Should().Be($"\"{text}\"");
            JsonSerializer.Deserialize<PaymentOutcomeKind>($"\"{text}\"", dialect).Should().Be(kind);
        }
    }

    [Fact]
    public void A_refund_answer_and_a_refund_history_written_with_text_states_read_back_into_the_enum()
    {
        // As payments' actor answered and refund workflows returned before the state was an enum.
        const string answer = """{"refundId":"7b0a8b1e-4a53-4cde-9a44-8a4e8f0f8f01","gatewayRefundId":"","status":"failed","amount":100,"failureMessage":"no"}""";
        var view = JsonSerializer.Deserialize<RefundView>(answer, RuntimeJson.Options)!;
        view.Status.Should().Be(RefundState.Failed);
        JsonSerializer.Serialize(view, RuntimeJson.Options).Should().Be(answer);
        foreach (var (text, state) in new[] { ("pending", RefundState.Pending), ("succeeded", RefundState.Succeeded), ("failed", RefundState.Failed) })
        {
            JsonSerializer.Deserialize<RefundState>($"\"{text}\"", RuntimeJson.Options).Should().Be(state);
            JsonSerializer.Serialize(state, RuntimeJson.Options).Should().Be($"\"{text}\"");
        }
    }
}
