using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Minting.Apis;
using TicketToken.Minting.Data;
using TicketToken.Minting.Domain;
using TicketToken.Minting.Solana;
using TicketToken.Minting.Subscriptions;

namespace TicketToken.Minting;

/// <summary>
/// Minting: mirrors every ticket's ownership (the tickets module's database stays the truth) in a signed off-chain registry or on
/// Solana, in the background; reconciles the two on a schedule. Never on the purchase or the scan path.
/// </summary>
public sealed class MintingModule : Module
{
    public const string Id = "minting";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddOptions<MintingOptions>().Bind(module.Configuration.GetSection(MintingOptions.Section))
            .Validate(o => o.Backend is MirrorBackends.Registry or MirrorBackends.Solana, "TicketToken:Minting:Backend must be 'registry' or 'solana'.")
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out _), "TicketToken:Minting:PublicBaseUrl must be an absolute URL.")
            .Validate(o => o.Backend != MirrorBackends.Solana || Uri.TryCreate(o.Solana.RpcUrl, UriKind.Absolute, out _),
                "TicketToken:Minting:Solana:RpcUrl must be an absolute URL.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Solana.FeePayerSecretKey) || IsSecretKey(o.Solana.FeePayerSecretKey),
                "TicketToken:Minting:Solana:FeePayerSecretKey must be a Solana secret key (64 bytes in Base58).")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.RetryInitialBackoff > TimeSpan.Zero && o.RetryMaxBackoff >= o.RetryInitialBackoff
                           && o.Lease > TimeSpan.Zero && o.ReconciliationInterval > TimeSpan.Zero,
                "TicketToken:Minting intervals must be positive, the maximum backoff at least the initial one.")
            .Validate(o => o.MaxWalletExportAttempts > 0 && o.MaxWalletExportAttemptsPerAddress > 0 && o.WalletExportWindow > TimeSpan.Zero,
                "TicketToken:Minting wallet-export limits must be positive.")
            .ValidateOnStart();
        services.AddSecretProtector(Id, MintingOptions.SecretKeySetting, developmentSeed: "tickettoken-development-minting-key");
        services.AddSingleton<MintingSignals>();
        services.AddSingleton<MintingMetrics>();
        services.AddSingleton<MintingKeys>();
        services.AddScoped<OwnershipRegistry>();
        services.AddScoped<CustodialWallets>();
        services.AddScoped<RegistryMirror>();
        services.AddScoped<SolanaMirror>();
        services.AddScoped<SolanaFeePayer>();
        services.AddScoped<Reconciliation>();
        services.AddScoped<IOwnershipMirror>(sp => sp.GetRequiredService<IOptions<MintingOptions>>().Value.Backend == MirrorBackends.Solana
            ? sp.GetRequiredService<SolanaMirror>()
            : sp.GetRequiredService<RegistryMirror>());
        services.AddHttpClient<SolanaRpc>((sp, http) =>
        {
            http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<MintingOptions>>().Value.Solana.RpcUrl);
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        services.AddSingleton<MirrorWorker>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MirrorWorker>());
        module.AddDbContext<MintingDbContext>(MintingDbContext.SchemaName)
            .AddScheduledJob<ReconciliationJob>(ReconciliationJob.ActorType, ReconciliationJob.ActorId, sp => sp.GetRequiredService<IOptions<MintingOptions>>().Value.ReconciliationInterval)
            .Subscribe<TicketChanged, MirrorTicketChange>(TicketChanged.Topic)
            .Subscribe<TicketsIssued, DescribeIssuedTickets>(TicketsIssued.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMintingApi();
        endpoints.MapWalletsApi();
    }

    private static bool IsSecretKey(string value)
    {
        try
        {
            return SimpleBase.Base58.Bitcoin.Decode(value.Trim()).Length == 64;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
