using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Invocation;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// Fetches the identity module's public keys the way any other app would: by service invocation of
/// <c>identity</c> (loopback in the embedded runtime, through the sidecar with Dapr), or from a configured URL.
/// No module shares a secret with identity.
/// </summary>
internal sealed class JwksDocumentRetriever(IServiceProvider services, AuthOptions options) : IDocumentRetriever
{
    public const string Path = ".well-known/jwks.json";

    private static readonly HttpClient Direct = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!string.IsNullOrWhiteSpace(options.JwksUrl))
        {
            return await Direct.GetStringAsync(new Uri(options.JwksUrl), cancel);
        }

        // Any module's invoker will do: the key set is public, and the caller's app-id only labels the call.
        var caller = services.GetRequiredService<ModuleSelection>().AppIds.First();
        using var client = services.GetRequiredKeyedService<IServiceInvoker>(caller).CreateHttpClient(options.IdentityAppId);
        client.Timeout = TimeSpan.FromSeconds(10);
        using var response = await client.GetAsync(new Uri(Path, UriKind.Relative), cancel);
        if (!response.IsSuccessStatusCode)
        {
            throw new IOException($"The key set of '{options.IdentityAppId}' answered {(int)response.StatusCode}.");
        }

        return await response.Content.ReadAsStringAsync(cancel);
    }
}

/// <summary>Reads a JWKS document into the configuration JwtBearer validates signatures with.</summary>
internal sealed class JwksConfigurationRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var document = await retriever.GetDocumentAsync(address, cancel);
        var keys = new JsonWebKeySet(document);
        var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = keys };
        foreach (var key in keys.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }
}
