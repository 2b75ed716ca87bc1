using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;

namespace TicketToken.Bench.Queue;

/// <summary>
/// Stands in for identity's key set so that 100,000 fans need no PBKDF2 sign-in (about 100 minutes on this machine): the
/// host is told to fetch its JWKS from this module (<c>TicketToken:Auth:IdentityAppId</c> = bench), and the tokens are
/// minted here with the claims identity writes. Everything after the token (validation, policies) is the host's own.
/// </summary>
public sealed class FanTokens : Module
{
    public const string Id = "bench";

    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsaSecurityKey SecurityKey = new(Key) { KeyId = "bench-key" };
    private static readonly JsonWebTokenHandler Handler = new();

    public override string AppId => Id;

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Anonymous: a key set is public, and this module exists only in the benchmark's host.
        endpoints.MapGet("/.well-known/jwks.json", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(SecurityKey);
            return Results.Text(JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES256" } } }),
                "application/json");
        }).AllowAnonymous().ExcludeFromDescription();
    }

    public static string Mint(Guid userId, Guid? administers = null)
    {
        var claims = new List<Claim>
        {
            new(TokenClaims.Subject, userId.ToString()), new(TokenClaims.Kind, TokenClaims.UserKind), new(TokenClaims.Session, Guid.NewGuid().ToString()),
            new(TokenClaims.Role, Roles.Fan), new(TokenClaims.TokenId, Guid.NewGuid().ToString("N")),
        };
        if (administers is { } organizer)
        {
            claims.Add(new Claim(TokenClaims.Organizer, Caller.Membership(organizer, Roles.OrganizerAdmin)));
        }

        var now = DateTime.UtcNow;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tickettoken", Audience = "tickettoken-api", IssuedAt = now, NotBefore = now, Expires = now.AddHours(2), TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.EcdsaSha256), Subject = new ClaimsIdentity(claims),
        });
    }
}
