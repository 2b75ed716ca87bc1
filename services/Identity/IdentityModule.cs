using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Identity.Apis;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity;

/// <summary>People, organizers and devices; access tokens and the keys that sign them.</summary>
public sealed class IdentityModule : Module
{
    public const string Id = "identity";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddValidation();
        services.AddOptions<IdentityOptions>().Bind(module.Configuration.GetSection(IdentityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdentityOptions>, WeakHashingOnlyInTests>();
        // The development seed is the one identity always had, so keys stored by earlier versions stay readable.
        services.AddSecretProtector(Id, IdentityOptions.SecretKeySetting, developmentSeed: "tickettoken-development-secret-key");
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<Passwords>();
        services.AddScoped<Throttle>();
        services.AddScoped<SignIn>();
        services.AddHostedService<SigningKeyRotation>();
        module.AddDbContext<IdentityDbContext>(IdentityDbContext.SchemaName);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAuthApi();
        endpoints.MapMeApi();
        endpoints.MapOrganizersApi();
        endpoints.MapDevicesApi();
        endpoints.MapKeysApi();
        endpoints.MapAdminApi();
    }
}
