using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;

namespace TicketToken.Tickets.Actors;

/// <summary>
/// An event's entry key for the scanning module, which derives ticket secrets from it to verify codes (docs/adr/0009-tickets.md).
/// Stateless: the key is read from the table each call, so a key made after a "no such event" answer is found next time.
/// </summary>
public sealed class EventEntryKeysActor(ActorHost host, TicketsDbContext db, [FromKeyedServices(TicketsModule.Id)] SecretProtector protector, IOptions<TicketsOptions> options)
    : Actor(host), IEventEntryKeysActor
{
    public async Task<EventEntryKey?> GetAsync()
    {
        if (!Guid.TryParseExact(Id.Id, "N", out var eventId))
        {
            return null;
        }

        var ciphertext = await db.Events.AsNoTracking().Where(e => e.Id == eventId).Select(e => e.KeyCiphertext).SingleOrDefaultAsync();
        return ciphertext is null ? null : new EventEntryKey(eventId, protector.Unprotect(ciphertext), options.Value.CodeStepSeconds);
    }
}
