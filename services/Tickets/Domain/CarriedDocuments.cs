using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// What a fan carries for a ticket outside the app (docs/adr/0014-entry-code-v2-and-wallet-passes.md), made in one place
/// for the owner's routes, the documents actor the notifications module calls, and Apple's pass web service: the PDF,
/// the Apple Wallet pass of a secret version, the Google Wallet save link, and links that work from an e-mail.
/// </summary>
public sealed class CarriedDocuments(TicketsDbContext db, [FromKeyedServices(TicketsModule.Id)] SecretProtector protector, WalletCredentials credentials,
    WalletLinks links, IOptions<TicketsOptions> options, TimeProvider time)
{
    /// <summary>The path of Apple's pass web service under <see cref="TicketsOptions.PublicBaseUrl"/> (its <c>webServiceURL</c>).</summary>
    public const string AppleWebServicePath = "/api/tickets/apple-wallet";

    private TicketsOptions Options => options.Value;

    /// <summary>Every ticket with its event and holder's name, for queries to narrow.</summary>
    public IQueryable<CarriedTicket> Tickets() =>
        from t in db.Tickets.AsNoTracking()
        join e in db.Events.AsNoTracking() on t.EventId equals e.Id
        join h in db.Holders.AsNoTracking() on t.OwnerId equals h.UserId into holders
        from h in holders.DefaultIfEmpty()
        select new CarriedTicket { Ticket = t, Event = e, HolderName = h == null ? null : h.DisplayName };

    /// <summary>The owner's ticket; another fan's does not exist for them.</summary>
    public async Task<CarriedTicket> OwnedAsync(Guid ownerId, Guid ticketId, CancellationToken cancellationToken) =>
        await Tickets().SingleOrDefaultAsync(c => c.Ticket.Id == ticketId && c.Ticket.OwnerId == ownerId, cancellationToken) ?? throw TicketsProblems.TicketNotFound();

    /// <summary>One PDF, a page per ticket; a ticket whose organizer forbids wallet passes gets a page without a code.</summary>
    public byte[] Pdf(IReadOnlyList<CarriedTicket> tickets)
    {
        if (!PdfFonts.Available)
        {
            throw TicketsProblems.PdfUnavailable(PdfFonts.Directory);
        }

        return TicketPdf.Render([.. tickets.Select(t => new TicketPage(t, t.MayCarryPassCode ? PassCode.For(t.Ticket.Id, Secret(t)) : null))], time.GetUtcNow());
    }

    /// <summary>
    /// The Apple Wallet pass of the ticket at <paramref name="secretVersion"/>: with the pass code while that version is
    /// current and the ticket active (and the organizer allows passes), otherwise without a code, voided when it can
    /// never admit again.
    /// </summary>
    public async Task<byte[]> ApplePassAsync(CarriedTicket ticket, int secretVersion, CancellationToken cancellationToken)
    {
        var certificates = credentials.Apple ?? throw TicketsProblems.WalletNotOffered("Apple Wallet");
        var serial = Serial(ticket.Ticket.Id, secretVersion);
        var current = secretVersion == ticket.Ticket.SecretVersion;
        var voided = !current || !ticket.IsActive;
        var notice = !current ? "This pass no longer admits: the ticket was passed on or reissued after it was made."
            : !ticket.IsActive ? $"This ticket is {TicketLifecycle.Name(ticket.Ticket.Status).Replace('_', ' ')} and admits nobody."
            : ticket.MayCarryPassCode ? "Show this code at the entrance. It stops working if the ticket is given away, resold or reissued."
            : "The organizer admits only the rotating code of the TicketToken app: open this ticket in the app at the entrance.";
        var content = new ApplePassContent(ticket, serial, await links.PassTokenAsync(serial, cancellationToken), new Uri(Options.PublicBaseUrl, AppleWebServicePath),
            current && ticket.MayCarryPassCode ? PassCode.For(ticket.Ticket.Id, Secret(ticket)) : null, voided, notice, ValidUntil(ticket));
        return ApplePass.Build(content, Options.AppleWallet, certificates, time.GetUtcNow());
    }

    /// <summary>The "Save to Google Wallet" JWT of an active ticket whose organizer allows wallet passes.</summary>
    public string GoogleSaveJwt(CarriedTicket ticket)
    {
        var account = credentials.Google ?? throw TicketsProblems.WalletNotOffered("Google Wallet");
        if (!ticket.MayCarryPassCode)
        {
            throw ticket.IsActive ? TicketsProblems.WalletPassesNotAllowed() : TicketsProblems.TicketNotActive(ticket.Ticket.Status);
        }

        return GoogleWalletPass.SaveJwt(ticket, TotpCode.Key(Secret(ticket), ticket.Ticket.Id), Options.CodeStepSeconds, ValidUntil(ticket), Options.GoogleWallet,
            Options.AppleWallet.OrganizationName, account, time.GetUtcNow());
    }

    public string GoogleObjectId(CarriedTicket ticket) => GoogleWalletPass.ObjectId(Options.GoogleWallet, ticket);

    /// <summary>The links of one ticket that work from an e-mail without signing in; a wallet not offered for it is null.</summary>
    public async Task<TicketWalletLinks> LinksAsync(CarriedTicket ticket, CancellationToken cancellationToken)
    {
        string? apple = null;
        string? google = null;
        if (ticket.MayCarryPassCode && credentials.Apple is not null)
        {
            var expiresAt = time.GetUtcNow() + Options.WalletLinkLifetime;
            if (ValidUntil(ticket) is { } until && until < expiresAt)
            {
                expiresAt = until;
            }

            var token = await links.MakeAsync(ticket.Ticket.Id, ticket.Ticket.SecretVersion, expiresAt, cancellationToken);
            apple = new Uri(Options.PublicBaseUrl, $"{AppleWebServicePath}/download/{token}").ToString();
        }

        if (ticket.MayCarryPassCode && credentials.Google is not null)
        {
            google = GoogleWalletPass.SaveUrlPrefix + GoogleSaveJwt(ticket);
        }

        return new TicketWalletLinks(ticket.Ticket.Id, ticket.Label, apple, google);
    }

    /// <summary>When what changed last that a pass shows: the ticket (status, owner, secret version) or its event.</summary>
    public static DateTimeOffset LastModified(CarriedTicket ticket) => ticket.Ticket.ChangedAt > ticket.Event.UpdatedAt ? ticket.Ticket.ChangedAt : ticket.Event.UpdatedAt;

    /// <summary>
    /// <see cref="LastModified"/> as an HTTP date, which has whole seconds: rounded up, so that a pass fetched after a change
    /// is never called unmodified since a time before that change (only a second change in the same second could be).
    /// </summary>
    public static DateTimeOffset LastModifiedSecond(CarriedTicket ticket)
    {
        var at = LastModified(ticket).ToUniversalTime();
        var whole = new DateTimeOffset(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return whole == at ? whole : whole.AddSeconds(1);
    }

    /// <summary>An Apple pass's serial number: the ticket and the secret version it was made for.</summary>
    public static string Serial(Guid ticketId, int secretVersion) => string.Create(CultureInfo.InvariantCulture, $"{ticketId:N}-{secretVersion}");

    public static bool TryReadSerial(string? serial, out Guid ticketId, out int secretVersion)
    {
        ticketId = default;
        secretVersion = 0;
        return serial is { Length: > 33 and < 45 } && serial[32] == '-' && Guid.TryParseExact(serial.AsSpan(0, 32), "N", out ticketId)
            && serial.AsSpan(33).ToString() is var version && version.All(char.IsAsciiDigit) && !version.StartsWith('0')
            && int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out secretVersion);
    }

    private byte[] Secret(CarriedTicket ticket) => EventKeys.TicketSecret(protector, ticket.Event, ticket.Ticket);

    private DateTimeOffset? ValidUntil(CarriedTicket ticket) => ticket.Event.EndsAt + Options.ExpiryGrace;
}
