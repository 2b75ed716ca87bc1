using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>The public signing keys, and their rotation.</summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        // Anonymous by design: public keys are public; every module (and anyone) verifies tokens with them.
        app.MapGet("/.well-known/jwks.json", Jwks).AllowAnonymous().DisableRateLimiting().WithTags("Keys").WithName("GetJwks")
            .WithSummary("The JSON Web Key Set that verifies TicketToken access tokens (RFC 7517).");
        app.MapPost("/api/admin/signing-keys/rotate", Rotate).RequireAuthorization(Policies.PlatformAdmin).WithTags("Platform administration").WithName("RotateSigningKey")
            .WithSummary("Starts signing with a new key now; tokens signed by older keys stay valid until they expire.");
        return app;
    }

    public sealed record RotationResponse(string Kid);

    private static async Task<IResult> Jwks(SigningKeys keys, HttpContext http, CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "public, max-age=60";
        return Results.Text((await keys.JwksAsync(cancellationToken)).ToJsonString(), "application/jwk-set+json");
    }

    private static async Task<Ok<RotationResponse>> Rotate(SigningKeys keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new RotationResponse(await keys.RotateNowAsync(cancellationToken)));
}
