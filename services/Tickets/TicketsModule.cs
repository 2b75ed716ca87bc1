using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Actors;
using TicketToken.Tickets.Apis;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;
using TicketToken.Tickets.Subscriptions;

namespace TicketToken.Tickets;

/// <summary>
/// Tickets: issued per order, activated, revoked; rotating entry codes and the entry keys scanning checks them with; my
/// tickets; gifts; expiry after the event; what fans carry away (the PDF, Apple and Google Wallet passes).
/// </summary>
public sealed class TicketsModule : Module
{
    public const string Id = "tickets";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddValidation();
        services.AddOptions<TicketsOptions>().Bind(module.Configuration.GetSection(TicketsOptions.Section))
            .Validate(o => o.CodeStepSeconds is >= 1 and <= TicketCode.MaximumStepSeconds,
                $"TicketToken:Tickets:CodeStepSeconds must be 1 to {TicketCode.MaximumStepSeconds}: entry codes rotate at least every {TicketCode.MaximumStepSeconds} seconds.")
            .Validate(o => o.ExpiryGrace >= TimeSpan.Zero, "TicketToken:Tickets:ExpiryGrace cannot be negative.")
            .Validate(o => o.TransferExpiry > TimeSpan.Zero, "TicketToken:Tickets:TransferExpiry must be positive.")
            .Validate(o => o.TransferDailyLimit >= 1, "TicketToken:Tickets:TransferDailyLimit must be at least 1.")
            .Validate(o => o.TransferCooldown >= TimeSpan.Zero, "TicketToken:Tickets:TransferCooldown cannot be negative.")
            .Validate(o => o.PublicBaseUrl is { IsAbsoluteUri: true, Scheme: "http" or "https", AbsolutePath: "/" },
                "TicketToken:Tickets:PublicBaseUrl must be an absolute http(s) address without a path, such as https://tickets.example.com.")
            .Validate(o => o.WalletLinkLifetime > TimeSpan.Zero, "TicketToken:Tickets:WalletLinkLifetime must be positive.")
            .Validate(o => o.GoogleWallet.IssuerId is { Length: > 0 } id && id.All(char.IsAsciiDigit), "TicketToken:Tickets:GoogleWallet:IssuerId is the issuer's number.")
            .ValidateOnStart();
        services.AddSecretProtector(Id, TicketsOptions.SecretKeySetting, developmentSeed: "tickettoken-development-tickets-key");
        // Read at start: a configured wallet key that cannot be read stops the host, not the first fan who asks for a pass.
        services.AddSingleton<WalletCredentials>();
        services.AddSingleton<IHostedService>(sp => new WalletSetup(sp.GetRequiredService<WalletCredentials>, sp.GetRequiredService<IOptions<TicketsOptions>>().Value,
            sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<ILogger<WalletSetup>>()));
        services.AddSingleton<WalletLinks>();
        services.AddScoped<CarriedDocuments>();
        module.AddDbContext<TicketsDbContext>(TicketsDbContext.SchemaName)
            .AddActor<TicketIssuerActor>(TicketsActors.Issuer)
            .AddActor<EventTicketsActor>(TicketsProxies.EventTickets)
            .AddActor<EventEntryKeysActor>(TicketsActors.EntryKeys)
            .AddActor<TicketDocumentsActor>(TicketsActors.Documents)
            .AddActor<TicketLockActor>(TicketLocks.TypeName)
            .Subscribe<EventPublished, RecordEvent>(EventPublished.Topic)
            .Subscribe<EventCancelled, CancelEventTickets>(EventCancelled.Topic)
            .Subscribe<TicketCheckedIn, MarkCheckedIn>(TicketCheckedIn.Topic)
            .Subscribe<UserRegistered, RecordHolder>(UserRegistered.Topic)
            .Subscribe<UserErased, ForgetHolder>(UserErased.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTicketsApi();
        endpoints.MapCarriedTicketsApi();
        endpoints.MapAppleWalletApi();
        endpoints.MapTransfersApi();
        endpoints.MapSupportApi();
    }

    /// <summary>Reads the wallet keys and installs the PDF's fonts when the host starts, and says what is missing.</summary>
    private sealed class WalletSetup(Func<WalletCredentials> credentials, TicketsOptions options, IHostEnvironment environment, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            credentials();
            if (environment.IsProduction() && options.PublicBaseUrl.IsLoopback)
            {
                logger.LogWarning("TicketToken:Tickets:PublicBaseUrl is {Url}: wallet links in e-mails and Apple Wallet's pass updates point at this machine, not at the public address.",
                    options.PublicBaseUrl);
            }

            PdfFonts.Install(options.PdfFontDirectory);
            if (!PdfFonts.Available)
            {
                logger.LogWarning("DejaVu Sans is not in {Directory} (Debian's fonts-dejavu-core): tickets cannot be printed as PDF until it is.", PdfFonts.Directory);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
