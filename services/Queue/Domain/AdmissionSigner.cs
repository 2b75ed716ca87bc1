using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.Contracts.Queue;

namespace TicketToken.Queue.Domain;

/// <summary>
/// Signs admissions with the on-sale's own P-256 key. One key per on-sale, made when it is queued: inventory learns its
/// public half from <see cref="OnSaleQueued"/> and verifies offline, and no module holds a secret that could admit.
/// </summary>
public static class AdmissionSigner
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static (byte[] PrivateKey, byte[] PublicKey) NewKeyPair()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKey(), key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>
    /// The on-sale's signing key, made once per settings and never disposed: IdentityModel caches a signature provider per
    /// key material, and a disposed key behind a cached provider fails the next signature.
    /// </summary>
    public static SigningCredentials CredentialsFor(byte[] privateKey)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(privateKey, out _);
        return new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256);
    }

    public static string Sign(SigningCredentials credentials, Guid eventId, Guid userId, DateTimeOffset admittedAt, DateTimeOffset expiresAt) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Admissions.Issuer,
            Audience = Admissions.Audience,
            IssuedAt = admittedAt.UtcDateTime,
            NotBefore = admittedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()), new Claim(Admissions.EventClaim, eventId.ToString())]),
            SigningCredentials = credentials,
        });
}
