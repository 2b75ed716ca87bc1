using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.BuildingBlocks.State;
using TicketToken.Contracts.Queue;

namespace TicketToken.Inventory.Domain;

/// <summary>
/// Which events sell only to fans the queue admitted, and the key their admissions are signed with (from
/// <see cref="OnSaleQueued"/>, kept in inventory's state store and cached here). A hold request of such an event is
/// checked offline: signature, audience, account, event and expiry on this host's clock, with no call to the queue.
/// An event not known as queued is looked up again after <see cref="NegativeLifetime"/>, which bounds how long another
/// inventory replica can miss a queue put in place while its sales were already open.
/// </summary>
public sealed class AdmissionGates([FromKeyedServices(InventoryModule.Id)] IStateClient state, TimeProvider time)
{
    public static readonly TimeSpan NegativeLifetime = TimeSpan.FromSeconds(10);

    /// <summary>Hold requests may name any id: past this many cached answers the cache starts over rather than grow.</summary>
    private const int MaxCached = 50_000;

    private static readonly JsonWebTokenHandler Handler = new();

    private readonly ConcurrentDictionary<Guid, Gate> _gates = new();

    public sealed record StoredGate(bool Queued, string AdmissionKey, long Version);

    private sealed record Gate(StoredGate? Stored, ECDsaSecurityKey? Key, DateTimeOffset ReadAt);

    public static string KeyOf(Guid eventId) => $"admission-gate:{eventId:N}";

    /// <summary>Stores a newer gate and uses it at once on this host.</summary>
    public async Task RecordAsync(OnSaleQueued queued, CancellationToken cancellationToken)
    {
        var known = await state.GetStateAsync<StoredGate>(StateStores.Default, KeyOf(queued.EventId), cancellationToken);
        if (known is not null && known.Version >= queued.Version)
        {
            return;
        }

        var stored = new StoredGate(queued.Queued, queued.AdmissionKey, queued.Version);
        await state.SaveStateAsync(StateStores.Default, KeyOf(queued.EventId), stored, cancellationToken: cancellationToken);
        _gates[queued.EventId] = Open(stored);
    }

    /// <summary>Null when the hold may go ahead; otherwise the failure code of <see cref="Admissions"/>.</summary>
    public async Task<string?> RefusalAsync(Guid eventId, Guid buyerId, string? admission, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_gates.TryGetValue(eventId, out var gate) || (gate.Stored is null && now - gate.ReadAt >= NegativeLifetime))
        {
            var stored = await state.GetStateAsync<StoredGate>(StateStores.Default, KeyOf(eventId), cancellationToken);
            if (_gates.Count >= MaxCached)
            {
                _gates.Clear();
            }

            gate = _gates[eventId] = stored is null ? new Gate(null, null, now) : Open(stored);
        }

        if (gate.Key is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(admission))
        {
            return Admissions.Required;
        }

        // The clock is checked here, on the injected TimeProvider, rather than by the handler's own clock.
        var result = await Handler.ValidateTokenAsync(admission, new TokenValidationParameters
        {
            ValidIssuer = Admissions.Issuer,
            ValidAudience = Admissions.Audience,
            IssuerSigningKey = gate.Key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidateLifetime = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token
            || !token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) || subject != buyerId.ToString()
            || !token.TryGetPayloadValue<string>(Admissions.EventClaim, out var admittedEvent) || admittedEvent != eventId.ToString())
        {
            return Admissions.Invalid;
        }

        return token.ValidTo <= now.UtcDateTime ? Admissions.Expired : null;
    }

    private Gate Open(StoredGate stored)
    {
        if (!stored.Queued)
        {
            return new Gate(stored, null, time.GetUtcNow());
        }

        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(stored.AdmissionKey), out _);
        return new Gate(stored, new ECDsaSecurityKey(key), time.GetUtcNow());
    }
}
