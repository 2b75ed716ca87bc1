using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// The Apple pass signing certificate with Apple's WWDR intermediate, as configured; null when Apple Wallet is not offered.
/// </summary>
public sealed record ApplePassCertificates(X509Certificate2 PassCertificate, X509Certificate2 Intermediate, bool Development);

/// <summary>The service account a Google Wallet save link is signed with (RS256); <see cref="Rsa"/> holds its private key.</summary>
public sealed record GoogleServiceAccount(string Email, string? KeyId, RSA Rsa, bool Development);

/// <summary>
/// The keys wallet passes are signed with, read once at start. A configured key that cannot be read stops the start.
/// Without configuration, a development key is made (outside Production, with a warning): passes and links are made and
/// signed exactly as with real keys, but Apple and Google refuse them. In Production without configuration that wallet
/// is not offered.
/// </summary>
public sealed class WalletCredentials
{
    public WalletCredentials(IOptions<TicketsOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<WalletCredentials> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(time);
        var apple = options.Value.AppleWallet;
        var google = options.Value.GoogleWallet;
        Apple = string.IsNullOrWhiteSpace(apple.CertificatePath) ? DevelopmentApple(apple, environment, time.GetUtcNow(), logger) : ConfiguredApple(apple);
        Google = string.IsNullOrWhiteSpace(google.ServiceAccountKeyPath) ? DevelopmentGoogle(environment, logger) : ConfiguredGoogle(google.ServiceAccountKeyPath);
    }

    public ApplePassCertificates? Apple { get; }

    public GoogleServiceAccount? Google { get; }

    private static ApplePassCertificates ConfiguredApple(AppleWalletOptions apple)
    {
        if (string.IsNullOrWhiteSpace(apple.WwdrCertificatePath))
        {
            throw new InvalidOperationException("TicketToken:Tickets:AppleWallet:WwdrCertificatePath is required with a pass certificate: Wallet refuses a signature without Apple's WWDR G4 intermediate.");
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(apple.CertificatePath!, apple.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The Apple pass certificate in {apple.CertificatePath} has no private key; export it from Keychain with its key as a .p12.");
        }

        var intermediate = File.ReadAllText(apple.WwdrCertificatePath).Contains("-----BEGIN", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(File.ReadAllText(apple.WwdrCertificatePath))
            : X509CertificateLoader.LoadCertificateFromFile(apple.WwdrCertificatePath);
        return new ApplePassCertificates(certificate, intermediate, Development: false);
    }

    private static ApplePassCertificates? DevelopmentApple(AppleWalletOptions apple, IHostEnvironment environment, DateTimeOffset now, ILogger logger)
    {
        if (environment.IsProduction())
        {
            logger.LogWarning("No Apple pass certificate (TicketToken:Tickets:AppleWallet:CertificatePath): Apple Wallet passes are not offered.");
            return null;
        }

        logger.LogWarning("No Apple pass certificate configured: signing passes with a development certificate that Wallet refuses. Never do this in Production.");
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=TicketToken Development WWDR stand-in, OU=G4, O=TicketToken development", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var intermediate = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

        var passKey = RSA.Create(2048);
        var passRequest = new CertificateRequest($"CN=Pass Type ID: {apple.PassTypeIdentifier}, UID={apple.PassTypeIdentifier}, OU={apple.TeamIdentifier}, O={apple.OrganizationName}",
            passKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        passRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        passRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        using var issued = passRequest.Create(intermediate, now.AddDays(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(16));
        return new ApplePassCertificates(issued.CopyWithPrivateKey(passKey), X509CertificateLoader.LoadCertificate(intermediate.RawData), Development: true);
    }

    private static GoogleServiceAccount ConfiguredGoogle(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var email = root.TryGetProperty("client_email", out var e) ? e.GetString() : null;
        var pem = root.TryGetProperty("private_key", out var k) ? k.GetString() : null;
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(pem))
        {
            throw new InvalidOperationException($"{path} is not a Google service-account key file: it needs client_email and private_key.");
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new GoogleServiceAccount(email, root.TryGetProperty("private_key_id", out var id) ? id.GetString() : null, rsa, Development: false);
    }

    private static GoogleServiceAccount? DevelopmentGoogle(IHostEnvironment environment, ILogger logger)
    {
        if (environment.IsProduction())
        {
            logger.LogWarning("No Google service-account key (TicketToken:Tickets:GoogleWallet:ServiceAccountKeyPath): Google Wallet links are not offered.");
            return null;
        }

        logger.LogWarning("No Google service-account key configured: signing Google Wallet links with a development key that Google refuses. Never do this in Production.");
        return new GoogleServiceAccount("wallet-development@tickettoken.invalid", "development", RSA.Create(2048), Development: true);
    }
}
