using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Minting.Tests;

/// <summary>The off-chain registry (the embedded default) behind the real tickets module.</summary>
public sealed class RegistryTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task A_purchase_a_gift_and_a_resale_end_with_the_registry_owner_equal_to_the_database_owner_and_the_log_verifies_independently()
    {
        var buyer = await fixture.Personas.FanAsync();
        var friend = await fixture.Personas.FanAsync();
        var reseller = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, buyer.UserId);
        var ticketId = tickets[0];

        await fixture.MirroredAsync(ticketId);
        (await RegistryOwnerAsync(ticketId)).Should().Be(await fixture.DatabaseOwnerAsync(ticketId)).And.Be(buyer.UserId);

        await fixture.GiftAsync(ticketId, buyer, friend);
        await fixture.MirroredAsync(ticketId);
        (await RegistryOwnerAsync(ticketId)).Should().Be(await fixture.DatabaseOwnerAsync(ticketId)).And.Be(friend.UserId);

        await fixture.ResellAsync(ticketId, friend.UserId, reseller.UserId);
        await fixture.MirroredAsync(ticketId);
        (await RegistryOwnerAsync(ticketId)).Should().Be(await fixture.DatabaseOwnerAsync(ticketId)).And.Be(reseller.UserId);

        // What the fan sees, checked with the published key by code that shares nothing with the module's.
        var record = await fixture.RecordAsync(ticketId, reseller);
        record.GetProperty("backend").GetString().Should().Be("registry");
        record.GetProperty("mirrored").GetBoolean().Should().BeTrue();
        var entries = record.GetProperty("registry").EnumerateArray().ToList();
        entries.Select(x => x.GetProperty("ownerId").GetGuid()).Distinct().Should().Equal(buyer.UserId, friend.UserId, reseller.UserId);
        using var keyResponse = await fixture.Client.GetAsync("/api/minting/registry-key");
        var key = await keyResponse.Content.ReadFromJsonAsync<JsonElement>();
        VerifyIndependently(ticketId, entries, Convert.FromBase64String(key.GetProperty("publicKeyBase64").GetString()!)).Should().BeNull();

        // A change after the fact (by someone with database access who bypassed the trigger) is caught by the same check.
        var forged = entries.Select(x => x.Clone()).ToList();
        var first = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(forged[0].GetRawText())!;
        first["ownerId"] = JsonSerializer.SerializeToElement(reseller.UserId);
        forged[0] = JsonSerializer.SerializeToElement(first);
        VerifyIndependently(ticketId, forged, Convert.FromBase64String(key.GetProperty("publicKeyBase64").GetString()!)).Should().Be("entry 1: hash");
    }

    [Fact]
    public async Task The_registry_is_append_only_in_the_database()
    {
        var buyer = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, buyer.UserId);
        await fixture.MirroredAsync(tickets[0]);

        var update = () => fixture.Database.ExecuteAsync("update minting.registry_entries set owner_id = gen_random_uuid() where ticket_id = $1", tickets[0]);
        var delete = () => fixture.Database.ExecuteAsync("delete from minting.registry_entries where ticket_id = $1", tickets[0]);
        (await update.Should().ThrowAsync<Npgsql.PostgresException>()).Which.MessageText.Should().Contain("append-only");
        (await delete.Should().ThrowAsync<Npgsql.PostgresException>()).Which.MessageText.Should().Contain("append-only");
    }

    [Fact]
    public async Task A_refund_is_recorded_and_reconciliation_finds_everything_in_step()
    {
        var buyer = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (orderId, tickets) = await fixture.PurchaseAsync(e, buyer.UserId, seats: 2);
        await fixture.RefundAsync(orderId);
        foreach (var ticket in tickets)
        {
            await fixture.MirroredAsync(ticket);
            (await fixture.Database.ScalarAsync<string>("select status from minting.registry_entries where ticket_id = $1 order by position desc limit 1", ticket))
                .Should().Be(TicketStatuses.Refunded);
        }

        var admin = await fixture.Personas.PlatformAdminAsync();
        using var run = await fixture.Client.SendAsync(admin, HttpMethod.Post, "/api/minting/reconciliation");
        run.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = await run.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("backend").GetString().Should().Be("registry");
        result.GetProperty("checked").GetInt32().Should().BeGreaterThanOrEqualTo(2);
        result.GetProperty("unrepairable").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task Someone_elses_ticket_record_is_not_found()
    {
        var buyer = await fixture.Personas.FanAsync();
        var stranger = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, buyer.UserId);
        await fixture.MirroredAsync(tickets[0]);

        using var response = await fixture.Client.SendAsync(stranger, HttpMethod.Get, $"/api/minting/tickets/{tickets[0]}");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().Should().Be("ticket_not_found");
    }

    private async Task<Guid?> RegistryOwnerAsync(Guid ticketId) =>
        await fixture.Database.ScalarAsync<Guid?>("select owner_id from minting.registry_entries where ticket_id = $1 order by position desc limit 1", ticketId);

    /// <summary>The documented procedure (GET /api/minting/registry-key) written out here from the route's JSON, with BouncyCastle's Ed25519.</summary>
    private static string? VerifyIndependently(Guid ticketId, IReadOnlyList<JsonElement> entries, byte[] publicKey)
    {
        var previous = new byte[32];
        foreach (var entry in entries)
        {
            var position = entry.GetProperty("position").GetInt32();
            var line = string.Join('|', "tickettoken-registry-v1", ticketId.ToString("D"), position.ToString(CultureInfo.InvariantCulture), entry.GetProperty("kind").GetString(),
                entry.GetProperty("ownerId").GetGuid().ToString("D"), entry.GetProperty("status").GetString(), entry.GetProperty("sequence").GetInt64().ToString(CultureInfo.InvariantCulture),
                entry.GetProperty("recordedAt").GetDateTimeOffset().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            var hash = SHA256.HashData([.. previous, .. Encoding.UTF8.GetBytes(line)]);
            if (Convert.ToHexStringLower(previous) != entry.GetProperty("previousHash").GetString())
            {
                return $"entry {position}: chain";
            }

            if (Convert.ToHexStringLower(hash) != entry.GetProperty("hash").GetString())
            {
                return $"entry {position}: hash";
            }

            var verifier = new Ed25519Signer();
            verifier.Init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.BlockUpdate(hash, 0, hash.Length);
            if (!verifier.VerifySignature(Convert.FromBase64String(entry.GetProperty("signature").GetString()!)))
            {
                return $"entry {position}: signature";
            }

            previous = hash;
        }

        return null;
    }
}
