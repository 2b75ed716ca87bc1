using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.Testing.Identity;

namespace TicketToken.Tickets.Tests.Carried;

/// <summary>
/// A test that reads a PDF the way a person's computer would: <c>pdftoppm</c> and <c>pdftotext</c> (Debian's poppler-utils)
/// and <c>zbarimg</c> (zbar-tools); skipped with the reason where one is missing.
/// </summary>
public sealed class PdfToolsFactAttribute : FactAttribute
{
    public PdfToolsFactAttribute()
    {
        foreach (var (tool, package) in new[] { ("pdftoppm", "poppler-utils"), ("pdftotext", "poppler-utils"), ("zbarimg", "zbar-tools") })
        {
            if (ToolFactAttribute.Find(tool) is null)
            {
                Skip = $"SKIPPED: '{tool}' is not on PATH here (Debian package {package}: scripts/ensure-packages {package}); with it this test renders the PDF and reads it.";
                return;
            }
        }
    }
}

/// <summary>A PDF rendered and read by poppler-utils.</summary>
public static class Pdfs
{
    /// <summary>Each page as a PNG at 150 dpi, as <c>pdftoppm</c> renders it (it fails on a PDF it cannot open).</summary>
    public static async Task<List<byte[]>> PagesAsync(byte[] pdf)
    {
        var directory = Directory.CreateTempSubdirectory("tickettoken-pdf-");
        try
        {
            var file = Path.Combine(directory.FullName, "tickets.pdf");
            await File.WriteAllBytesAsync(file, pdf);
            await RunAsync("pdftoppm", "-r", "150", "-png", file, Path.Combine(directory.FullName, "page"));
            var pages = new List<byte[]>();
            foreach (var page in directory.GetFiles("page-*.png").OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                pages.Add(await File.ReadAllBytesAsync(page.FullName));
            }

            return pages;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The text of every page, as <c>pdftotext</c> extracts it (pages separated by form feeds).</summary>
    public static async Task<string> TextAsync(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tickettoken-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            return await RunAsync("pdftotext", "-layout", file, "-");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What <c>zbarimg</c> finds on a page: the QR's text, or null when the page has no code.</summary>
    public static async Task<string?> QrOnPageAsync(byte[] png)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tickettoken-page-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(file, png);
        try
        {
            var (exit, output, errors) = await RunRawAsync("zbarimg", "--raw", "--quiet", file);
            // zbarimg exits 4 when the image has no symbol at all.
            return exit switch
            {
                0 => output.TrimEnd('\n'),
                4 => null,
                _ => throw new InvalidOperationException($"zbarimg failed ({exit}): {errors}"),
            };
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var (exit, output, errors) = await RunRawAsync(tool, arguments);
        exit.Should().Be(0, "{0} {1}: {2}", tool, string.Join(' ', arguments), errors);
        return output;
    }

    private static async Task<(int Exit, string Output, string Errors)> RunRawAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}

/// <summary>An Apple Wallet pass opened and checked the way Wallet checks it before installing it.</summary>
public sealed class ApplePassFile
{
    private ApplePassFile(Dictionary<string, byte[]> files) => Files = files;

    public IReadOnlyDictionary<string, byte[]> Files { get; }

    public JsonElement Pass => JsonDocument.Parse(Files["pass.json"]).RootElement;

    /// <summary>The barcode's message, or null when the pass has no barcode.</summary>
    public string? Barcode => Pass.TryGetProperty("barcodes", out var barcodes) && barcodes.GetArrayLength() > 0 ? barcodes[0].GetProperty("message").GetString() : null;

    public static ApplePassFile Open(byte[] pkpass)
    {
        using var archive = new ZipArchive(new MemoryStream(pkpass), ZipArchiveMode.Read);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[entry.FullName] = copy.ToArray();
        }

        return new ApplePassFile(files);
    }

    /// <summary>The manifest names every other file with the SHA-1 of its bytes, in hex, and nothing else.</summary>
    public void ManifestShouldMatchTheFiles()
    {
        using var manifest = JsonDocument.Parse(Files["manifest.json"]);
        var listed = manifest.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        listed.Keys.Should().BeEquivalentTo(Files.Keys.Except(["manifest.json", "signature"]));
        foreach (var (name, hash) in listed)
        {
#pragma warning disable CA5350 // the pass format's manifest is SHA-1
            hash.Should().Be(Convert.ToHexStringLower(SHA1.HashData(Files[name])), "the manifest's hash of {0}", name);
#pragma warning restore CA5350
        }
    }

    /// <summary>
    /// The signature is a detached PKCS#7 of the manifest that <see cref="SignedCms.CheckSignature(bool)"/> verifies; its
    /// signer chains through the intermediate the signature carries; returns the signer's certificate.
    /// </summary>
    public X509Certificate2 SignatureShouldVerify(X509Certificate2 expectedIntermediate)
    {
        var signed = new SignedCms(new ContentInfo(Files["manifest.json"]), detached: true);
        signed.Decode(Files["signature"]);
        signed.CheckSignature(verifySignatureOnly: true);
        signed.Certificates.Cast<X509Certificate2>().Select(c => c.Thumbprint).Should().Contain(expectedIntermediate.Thumbprint, "Wallet needs the WWDR intermediate in the signature");
        var signer = signed.SignerInfos.Cast<SignerInfo>().Single().Certificate!;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(expectedIntermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(signer).Should().BeTrue("the pass certificate is issued by the intermediate: {0}",
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        var tampered = (byte[])Files["manifest.json"].Clone();
        tampered[^2] ^= 1;
        var other = new SignedCms(new ContentInfo(tampered), detached: true);
        other.Decode(Files["signature"]);
        var check = () => other.CheckSignature(verifySignatureOnly: true);
        check.Should().Throw<CryptographicException>("the signature covers the manifest");
        return signer;
    }
}

/// <summary>
/// Google Wallet, as far as a test can be it: the save link's JWT verified with the service account's public key, and the
/// rotating barcode computed from its details with an RFC 6238 written here from the RFC, independent of the module's.
/// </summary>
public static class GoogleWallet
{
    /// <summary>Verifies the JWT (RS256, issuer, audience <c>google</c>) and answers its claims.</summary>
    public static async Task<JsonElement> VerifyAsync(string jwt, RSA serviceAccount, string issuer)
    {
        using var publicOnly = RSA.Create();
        publicOnly.ImportParameters(serviceAccount.ExportParameters(includePrivateParameters: false));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            // No cached signature provider: it would outlive this RSA object, and the next check of the same key would use it disposed.
            IssuerSigningKey = new RsaSecurityKey(publicOnly) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } },
            ValidIssuer = issuer,
            ValidAudience = "google",
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        result.IsValid.Should().BeTrue(result.Exception?.Message);
        return JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement;
    }

    /// <summary>The barcode value a wallet shows at <paramref name="now"/>: the pattern with its substitutions made from the TOTP details.</summary>
    public static string BarcodeValue(JsonElement rotatingBarcode, DateTimeOffset now)
    {
        var details = rotatingBarcode.GetProperty("totpDetails");
        details.GetProperty("algorithm").GetString().Should().Be("TOTP_SHA1");
        var periodSeconds = long.Parse(details.GetProperty("periodMillis").GetString()!, CultureInfo.InvariantCulture) / 1000;
        var parameters = details.GetProperty("parameters").EnumerateArray().ToList();
        var value = rotatingBarcode.GetProperty("valuePattern").GetString()!
            .Replace("{totp_timestamp_seconds}", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{totp_timestamp_millis}", now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            var key = Convert.FromHexString(parameters[i].GetProperty("key").GetString()!);
            var digits = parameters[i].GetProperty("valueLength").GetInt32();
            value = value.Replace($"{{totp_value_{i}}}", Totp(key, now.ToUnixTimeSeconds() / periodSeconds, digits), StringComparison.Ordinal);
        }

        return value;
    }

    /// <summary>RFC 6238 over RFC 4226 with HMAC-SHA-1 (section 5.3's dynamic truncation), T0 = 0.</summary>
    public static string Totp(byte[] key, long counter, int digits)
    {
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
#pragma warning disable CA5350 // RFC 6238's SHA-1 variant is what Google Wallet's TOTP_SHA1 computes
        var hash = HMACSHA1.HashData(key, message);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var binary = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % (int)Math.Pow(10, digits)).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>Text of a JSON value: Google's localized strings carry it in <c>defaultValue.value</c>.</summary>
    public static string Localized(JsonElement element) => element.GetProperty("defaultValue").GetProperty("value").GetString()!;
}

/// <summary>A gift of a ticket through the tickets module's API, start to acceptance: the ticket's next secret version.</summary>
public static class Gifts
{
    public static async Task GiveAsync(this HttpClient client, Person from, Person to, Guid ticketId)
    {
        using var started = await client.SendAsync(from, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = to.Email });
        var transfer = await started.ShouldBeAsync(System.Net.HttpStatusCode.Created);
        using var accepted = await client.SendAsync(to, HttpMethod.Post, $"/api/transfers/{transfer.GetProperty("id").GetGuid()}/accept",
            new { acceptanceCode = transfer.GetProperty("acceptanceCode").GetString() });
        await accepted.ShouldBeAsync(System.Net.HttpStatusCode.OK);
    }
}
