using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Tickets;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Payments;
using TicketToken.Scanning;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

namespace TicketToken.Orders.Tests;

/// <summary>The purchase's modules and the gate, capturing staff invitations (to make box-office clerks) and reissues.</summary>
public sealed class BoxOfficeFixture : JourneyFixture
{
    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new CatalogModule(), new InventoryModule(), new OrdersModule(), new PaymentsModule(), new TicketsModule(), new ScanningModule(),
         new EventCaptureModule(OrderConfirmed.Topic, OrderEnded.Topic, "identity.staff-invited", TicketReissued.Topic)];
}

/// <summary>
/// The box office through the API (ADR 0021): counter sales in cash and on a card terminal that appear in the sales report,
/// post a balanced ledger to the organizer's till and admit at the gate; will-call held until an ID check releases it;
/// reissue of a lost ticket; and the box office of one organizer kept out of another's.
/// </summary>
public sealed class BoxOfficeTests(BoxOfficeFixture fixture) : IClassFixture<BoxOfficeFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_cash_sale_and_a_card_present_sale_are_reported_post_to_the_till_and_terminal_in_balance_and_admit_at_the_gate()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(DateTimeOffset.UtcNow.AddHours(1));
        var clerk = await fixture.Personas.StaffAsync(admin, organizerId, "box_office", fixture.Events);
        var sales = $"/api/orders/organizers/{organizerId}/box-office/events/{eventId}/sales";

        using var cash = await SellAsync(clerk, sales, "cash-1", new { seats = new[] { "STALLS-A-1" }, payment = new { method = "cash" } });
        var cashOrder = (await cash.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("order");
        using var card = await SellAsync(clerk, sales, "card-1",
            new { bestAvailable = new { quantity = 2, priceZone = "STANDARD" }, payment = new { method = "card_present", terminalReference = "T1-000482" } });
        var cardOrder = (await card.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("order");
        using var retried = await SellAsync(clerk, sales, "cash-1", new { seats = new[] { "STALLS-A-1" }, payment = new { method = "cash" } });
        var cashId = cashOrder.GetProperty("id").GetGuid();
        var cardId = cardOrder.GetProperty("id").GetGuid();
        var cashConfirmed = await BoxOfficeOrderReachesAsync(clerk, organizerId, cashId, "confirmed");
        var cardConfirmed = await BoxOfficeOrderReachesAsync(clerk, organizerId, cardId, "confirmed");

        (await retried.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("order").GetProperty("id").GetGuid().Should().Be(cashId, "a retried sale is the same order");
        cashOrder.GetProperty("amounts").GetProperty("fees").GetInt64().Should().Be(0, "the counter sells at face value");
        cashOrder.GetProperty("amounts").GetProperty("total").GetInt64().Should().Be(8_900 + 1_691, "face value plus 19 % German tax");
        cardConfirmed.GetProperty("order").GetProperty("lines").EnumerateArray().Select(l => l.Text("seatId"))
            .Should().OnlyContain(s => s.StartsWith("STALLS-B-", StringComparison.Ordinal), "best available in the standard zone");
        cardConfirmed.GetProperty("sale").Text("paymentMethod").Should().Be("card_present");
        cardConfirmed.GetProperty("sale").Text("terminalReference").Should().Be("T1-000482");
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.orders where id = any($1) and payment_intent_id is null", new[] { cashId, cardId }))
            .Should().Be(2, "paid at the counter: no payment intent");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.payments where order_id = any($1)", new[] { cashId, cardId })).Should().Be(0);

        // The ledger: the till and the terminal hold what was taken, balanced by the organizer's box-office sales.
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where order_id = any($1)",
            new[] { cashId, cardId }) == 2, "both sales are posted");
        var cashTotal = cashOrder.GetProperty("amounts").GetProperty("total").GetInt64();
        var cardTotal = cardOrder.GetProperty("amounts").GetProperty("total").GetInt64();
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries where account = $1", $"box_office_till:{organizerId}"))
            .Should().Be(cashTotal);
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries where account = $1", $"box_office_terminal:{organizerId}"))
            .Should().Be(cardTotal);
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries where account = $1", $"box_office_sales:{organizerId}"))
            .Should().Be(-(cashTotal + cardTotal));
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_entries where account = $1", $"organizer_payable:{organizerId}"))
            .Should().Be(0, "the platform never held this money, so it owes the organizer nothing for it");

        // The sales report counts both.
        using var report = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/sales");
        var totals = (await report.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("totals");
        totals.GetProperty("sold").GetInt64().Should().Be(3);
        totals.GetProperty("grossMinor").GetInt64().Should().Be(cashTotal + cardTotal);

        // The clerk prints the cash sale's ticket, and it admits once at the gate.
        var ticket = cashConfirmed.GetProperty("tickets")[0];
        var ticketId = ticket.GetProperty("ticketId").GetGuid();
        using (var pdf = await Client.SendAsync(clerk, HttpMethod.Get, ticket.Text("pdfPath")))
        {
            pdf.StatusCode.Should().Be(HttpStatusCode.OK);
            pdf.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf");
        }

        var device = await GateAsync(admin, organizerId, eventId, ticketId, locked: false);
        var code = await OfflineCodeAsync(clerk, ticketId);
        (await ScanAsync(device, eventId, code)).GetProperty("allowed").GetBoolean().Should().BeTrue();
        (await ScanAsync(device, eventId, code)).GetProperty("allowed").GetBoolean().Should().BeFalse("a counter ticket admits once, like any ticket");

        using var audit = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/box-office/audit?eventId={eventId}");
        var entries = (await audit.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        entries.Where(e => e.Text("action") == "sale").Should().HaveCount(2, "each sale is audited once, its retry is not a sale");
        entries.Should().OnlyContain(e => e.GetProperty("actorId").GetGuid() == clerk.UserId);
        entries.Single(e => e.GetProperty("orderId").GetGuid() == cardId).GetProperty("details").Text("terminalReference").Should().Be("T1-000482");
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task A_will_call_phone_order_has_no_code_and_is_refused_at_the_gate_until_an_ID_check_releases_it_then_admits()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(DateTimeOffset.UtcNow.AddHours(1));
        var clerk = await fixture.Personas.StaffAsync(admin, organizerId, "box_office", fixture.Events);
        using var sold = await SellAsync(clerk, $"/api/orders/organizers/{organizerId}/box-office/events/{eventId}/sales", "phone-1", new
        {
            seats = new[] { "STALLS-A-4" }, payment = new { method = "card_present", terminalReference = "MOTO-77" }, channel = "phone",
            buyer = new { name = "Ada Lovelace", email = "Ada@Example.com" }, willCall = true,
        });
        var orderId = (await sold.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("order").GetProperty("id").GetGuid();
        var confirmed = await BoxOfficeOrderReachesAsync(clerk, organizerId, orderId, "confirmed");
        var ticketId = confirmed.GetProperty("tickets")[0].GetProperty("ticketId").GetGuid();

        confirmed.GetProperty("willCall").GetProperty("held").GetBoolean().Should().BeTrue();
        confirmed.GetProperty("tickets")[0].GetProperty("pdfPath").ValueKind.Should().Be(JsonValueKind.Null, "nothing to print before the pickup");
        (await fixture.Database.ScalarAsync<string>("select lock_reason from tickets.tickets where id = $1", ticketId)).Should().Be("will_call");
        foreach (var path in new[] { $"/api/tickets/{ticketId}/qr", $"/api/tickets/{ticketId}/offline", $"/api/tickets/{ticketId}/pdf" })
        {
            using var shown = await Client.SendAsync(clerk, HttpMethod.Get, path);
            await shown.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_held_for_pickup");
        }

        // A code made with the ticket's real secret (as the gate derives it) is still refused: the ticket is held.
        var device = await GateAsync(admin, organizerId, eventId, ticketId, locked: true);
        var key = await fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<IEventEntryKeysActor>(TicketsActors.EntryKeysId(eventId), TicketsActors.EntryKeys).GetAsync();
        var secret = TicketCode.DeriveSecret(key!.Key, ticketId, 1);
        var refused = await ScanAsync(device, eventId, TicketCode.Current(ticketId, secret, DateTimeOffset.UtcNow, key.StepSeconds));
        refused.GetProperty("allowed").GetBoolean().Should().BeFalse();
        refused.ToString().Should().Contain("ticket_locked");

        // The clerk at the counter finds the order by name, e-mail or number.
        var lookup = $"/api/orders/organizers/{organizerId}/box-office/orders";
        foreach (var q in new[] { "lovelace", "ada@example.com", confirmed.GetProperty("order").Text("number") })
        {
            using var found = await Client.SendAsync(clerk, HttpMethod.Get, $"{lookup}?q={Uri.EscapeDataString(q)}");
            (await found.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()).Should().Equal([orderId], q);
        }

        var release = $"/api/orders/organizers/{organizerId}/box-office/orders/{orderId}/will-call/release";
        using (var fullNumber = await Client.SendAsync(clerk, HttpMethod.Post, release, new { documentType = "passport", documentLast4 = "C01X4821", collectedBy = "Ada Lovelace" }))
        {
            fullNumber.StatusCode.Should().Be(HttpStatusCode.BadRequest, "no more than the last four characters of a document number are taken");
        }

        using var released = await Client.SendAsync(clerk, HttpMethod.Post, release, new { documentType = "passport", documentLast4 = "4821", collectedBy = "Ada Lovelace" });
        var view = await released.ShouldBeAsync(HttpStatusCode.OK);
        using var releasedAgain = await Client.SendAsync(clerk, HttpMethod.Post, release, new { documentType = "passport", documentLast4 = "4821", collectedBy = "Ada Lovelace" });
        await releasedAgain.ShouldBeAsync(HttpStatusCode.OK);

        view.GetProperty("willCall").Text("documentType").Should().Be("passport");
        view.GetProperty("willCall").GetProperty("releasedBy").GetGuid().Should().Be(clerk.UserId);
        view.GetProperty("tickets")[0].Text("pdfPath").Should().Be($"/api/tickets/{ticketId}/pdf");
        await GateAsync(admin, organizerId, eventId, ticketId, locked: false);
        var admitted = await ScanAsync(device, eventId, await OfflineCodeAsync(clerk, ticketId));
        admitted.GetProperty("allowed").GetBoolean().Should().BeTrue(admitted.ToString());

        using var audit = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/box-office/audit?eventId={eventId}");
        var entries = (await audit.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        var check = entries.Single(e => e.Text("action") == "will_call_release");
        (check.GetProperty("details").Text("documentType"), check.GetProperty("details").Text("documentLast4"), check.GetProperty("details").Text("collectedBy"))
            .Should().Be(("passport", "4821", "Ada Lovelace"));
        entries.Should().Contain(e => e.Text("action") == "phone_order");
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.box_office_audit where organizer_id = $1 and action = 'lookup'", organizerId)).Should().Be(3);
    }

    [Fact]
    public async Task A_fan_who_chose_will_call_at_checkout_gets_a_code_only_after_the_box_office_found_the_order_and_checked_an_ID()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(DateTimeOffset.UtcNow.AddHours(1));
        var clerk = await fixture.Personas.StaffAsync(admin, organizerId, "box_office", fixture.Events);
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-2" } });
        using var checkout = fan.Request(HttpMethod.Post, "/api/orders", new { eventId, holdId = hold, willCall = true });
        checkout.Headers.Add("Idempotency-Key", "will-call-online");
        using var checkedOut = await Client.SendAsync(checkout);
        var order = await checkedOut.ShouldBeAsync(HttpStatusCode.Accepted);
        var orderId = order.GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var ticketId = await fixture.Database.ScalarAsync<Guid>("select id from tickets.tickets where order_id = $1", orderId);

        confirmed.GetProperty("willCall").GetBoolean().Should().BeTrue();
        using (var qr = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/qr"))
        {
            await qr.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_held_for_pickup");
        }

        using var found = await Client.SendAsync(clerk, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/box-office/orders?q={confirmed.Text("number")}");
        (await found.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single().GetProperty("willCall").GetBoolean().Should().BeTrue();
        using var released = await Client.SendAsync(clerk, HttpMethod.Post, $"/api/orders/organizers/{organizerId}/box-office/orders/{orderId}/will-call/release",
            new { documentType = "driving_licence", collectedBy = "The fan" });
        (await released.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("willCall").Text("documentType").Should().Be("driving_licence");
        using var qrAfter = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/qr");
        qrAfter.StatusCode.Should().Be(HttpStatusCode.OK, "released: the holder's app shows the code");
        (await fixture.Database.ScalarAsync<string?>("select document_last4 from orders.will_call_releases where order_id = $1", orderId)).Should().BeNull("no number was given");
    }

    [Fact]
    public async Task A_lost_ticket_is_reissued_its_old_code_is_refused_as_superseded_the_new_one_admits_and_the_reissue_is_audited()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(DateTimeOffset.UtcNow.AddHours(1));
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-6" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var ticketId = await fixture.Database.ScalarAsync<Guid>("select id from tickets.tickets where order_id = $1", orderId);
        var device = await GateAsync(admin, organizerId, eventId, ticketId, locked: false);
        var oldCode = await OfflineCodeAsync(fan, ticketId);
        var path = $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}/reissue";

        using var noKey = await Client.SendAsync(admin, HttpMethod.Post, path, new { reason = "lost", note = "Phone lost on the train" });
        await noKey.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_required");
        using var reissued = await ReissueAsync(admin, path, "reissue-1");
        using var retried = await ReissueAsync(admin, path, "reissue-1");

        (await reissued.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("secretVersion").GetInt32().Should().Be(2);
        (await retried.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("secretVersion").GetInt32().Should().Be(2, "a retried reissue is the same reissue");
        (await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", ticketId)).Should().Be(fan.UserId, "the holder keeps the ticket");
        await fixture.Events.WaitForAsync(TicketReissued.Topic, e => e.GetProperty("ticketId").GetGuid() == ticketId);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<int?>("select secret_version from scanning.tickets where id = $1", ticketId) == 2,
            "the gate knows the new secret");
        var superseded = await ScanAsync(device, eventId, oldCode);
        superseded.GetProperty("allowed").GetBoolean().Should().BeFalse();
        superseded.ToString().Should().Contain("superseded");
        var admitted = await ScanAsync(device, eventId, await OfflineCodeAsync(fan, ticketId));
        admitted.GetProperty("allowed").GetBoolean().Should().BeTrue(admitted.ToString());

        using var audit = await Client.SendAsync(admin, HttpMethod.Get, $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}/audit");
        var entries = (await audit.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        entries.Select(e => (e.Text("action"), e.Text("reason"), e.Text("note"))).Should().Equal([("reissue", "lost", "Phone lost on the train")]);
        fixture.Events.On(TicketReissued.Topic).Count(e => e.GetProperty("ticketId").GetGuid() == ticketId).Should().Be(1, "one reissue, one notice");
    }

    [Fact]
    public async Task The_box_office_of_one_organizer_cannot_sell_look_up_or_release_for_another_nor_do_what_only_admins_do_and_bad_sales_hold_nothing()
    {
        var (adminA, organizerA, eventA) = await fixture.OnSaleEventAsync();
        var (_, organizerB, eventB) = await fixture.OnSaleEventAsync();
        var clerk = await fixture.Personas.StaffAsync(adminA, organizerA, "box_office", fixture.Events);
        var cash = new { seats = new[] { "STALLS-A-2" }, payment = new { method = "cash" } };

        using var onOthersEvent = await SellAsync(clerk, $"/api/orders/organizers/{organizerA}/box-office/events/{eventB}/sales", "x1", cash);
        using var asOther = await SellAsync(clerk, $"/api/orders/organizers/{organizerB}/box-office/events/{eventB}/sales", "x2", cash);
        using var lookup = await Client.SendAsync(clerk, HttpMethod.Get, $"/api/orders/organizers/{organizerB}/box-office/orders?q=a");
        using var release = await Client.SendAsync(clerk, HttpMethod.Post, $"/api/orders/organizers/{organizerB}/box-office/orders/{Guid.NewGuid()}/will-call/release",
            new { documentType = "passport", collectedBy = "Eve" });
        using var audit = await Client.SendAsync(clerk, HttpMethod.Get, $"/api/orders/organizers/{organizerA}/box-office/audit");
        using var comps = await Client.SendAsync(clerk, HttpMethod.Get, $"/api/orders/organizers/{organizerA}/events/{eventA}/guest-list");
        using var reissue = await ReissueAsync(clerk, $"/api/tickets/organizers/{organizerA}/tickets/{Guid.NewGuid()}/reissue", "x3");
        using var noTerminal = await SellAsync(clerk, $"/api/orders/organizers/{organizerA}/box-office/events/{eventA}/sales", "x4",
            new { seats = new[] { "STALLS-A-2" }, payment = new { method = "card_present" } });
        using var phoneWithoutName = await SellAsync(clerk, $"/api/orders/organizers/{organizerA}/box-office/events/{eventA}/sales", "x5",
            new { seats = new[] { "STALLS-A-2" }, payment = new { method = "cash" }, channel = "phone" });
        using var nothing = await SellAsync(clerk, $"/api/orders/organizers/{organizerA}/box-office/events/{eventA}/sales", "x6", new { payment = new { method = "cash" } });
        using var fanSells = await SellAsync(await fixture.Personas.FanAsync(), $"/api/orders/organizers/{organizerA}/box-office/events/{eventA}/sales", "x7", cash);

        await onOthersEvent.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await asOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await lookup.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await release.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        audit.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the audit is the admins'");
        comps.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        reissue.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await noTerminal.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_counter_sale");
        await phoneWithoutName.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_counter_sale");
        await nothing.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_counter_sale");
        fanSells.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.orders where event_id = any($1)", new[] { eventA, eventB })).Should().Be(0);
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.box_office_audit where organizer_id = any($1)", new[] { organizerA, organizerB })).Should().Be(0);
        using var seat = await Client.SendAsync(await fixture.Personas.FanAsync(), HttpMethod.Post, $"/api/inventory/events/{eventA}/holds", new { seats = new[] { "STALLS-A-2" } });
        seat.StatusCode.Should().Be(HttpStatusCode.Created, "a refused sale held nothing");
    }

    private async Task<HttpResponseMessage> SellAsync(Person clerk, string path, string key, object body)
    {
        using var request = clerk.Request(HttpMethod.Post, path, body);
        request.Headers.Add("Idempotency-Key", key);
        return await Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> ReissueAsync(Person caller, string path, string key)
    {
        using var request = caller.Request(HttpMethod.Post, path, new { reason = "lost", note = "Phone lost on the train" });
        request.Headers.Add("Idempotency-Key", key);
        return await Client.SendAsync(request);
    }

    private async Task<JsonElement> BoxOfficeOrderReachesAsync(Person clerk, Guid organizerId, Guid orderId, string status)
    {
        JsonElement view = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Client.SendAsync(clerk, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/box-office/orders/{orderId}");
            view = await response.ShouldBeAsync(HttpStatusCode.OK);
            return view.GetProperty("order").Text("status") == status && view.GetProperty("tickets").GetArrayLength() > 0;
        }, $"box-office order {orderId} is {status}", TimeSpan.FromSeconds(60));
        return view;
    }

    /// <summary>A scanner of the event's venue, once the gate knows it and the ticket (locked or not).</summary>
    private async Task<ScannerDevice> GateAsync(Person admin, Guid organizerId, Guid eventId, Guid ticketId, bool locked)
    {
        var venueId = await fixture.Database.ScalarAsync<Guid>("select venue_id from orders.events where id = $1", eventId);
        var device = await fixture.Personas.DeviceAsync(admin, organizerId, venueId);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool?>("select locked from scanning.tickets where id = $1 and status = 'active'", ticketId) == locked
            && await fixture.Database.ScalarAsync<long>("select count(*) from scanning.devices where id = $1", device.DeviceId) == 1, "the gate knows the ticket and the device");
        return device;
    }

    private Task<string> OfflineCodeAsync(Person owner, Guid ticketId) => Client.CurrentCodeAsync(owner, ticketId);

    private Task<JsonElement> ScanAsync(ScannerDevice device, Guid eventId, string code) => Client.ScanInAsync(device, eventId, code, "Box office door");
}
