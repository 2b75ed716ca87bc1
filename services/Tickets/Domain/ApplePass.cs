using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// What one Apple Wallet pass shows. A pass is one ticket at one secret version (<see cref="SerialNumber"/>): it carries
/// the ticket's pass code while that version is current and the ticket active; after a transfer, resale or reissue it is
/// <see cref="Voided"/> and shows no code.
/// </summary>
public sealed record ApplePassContent(
    CarriedTicket Ticket,
    string SerialNumber,
    string AuthenticationToken,
    Uri WebServiceUrl,
    string? Barcode,
    bool Voided,
    string Notice,
    DateTimeOffset? ExpiresAt);

/// <summary>
/// The <c>.pkpass</c> file (Apple's Wallet Passes format): a zip of <c>pass.json</c>, the icons, <c>manifest.json</c>
/// (the SHA-1 of every other file, in hex) and <c>signature</c>, a detached PKCS#7 signature of the manifest made with the
/// Pass Type ID certificate, carrying Apple's WWDR intermediate and the signing time (System.Security.Cryptography.Pkcs).
/// </summary>
public static class ApplePass
{
    public const string MediaType = "application/vnd.apple.pkpass";

    private static readonly (string Name, byte[] Content)[] Images =
    [
        ("icon.png", Image("icon.png")),
        ("icon@2x.png", Image("icon@2x.png")),
        ("icon@3x.png", Image("icon@3x.png")),
    ];

    public static byte[] Build(ApplePassContent content, AppleWalletOptions options, ApplePassCertificates certificates, DateTimeOffset now)
    {
        var files = new List<(string Name, byte[] Content)> { ("pass.json", PassJson(content, options)) };
        files.AddRange(Images);
        var manifest = Manifest(files);
        files.Add(("manifest.json", manifest));
        files.Add(("signature", Sign(manifest, certificates, now)));

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        }

        return zip.ToArray();
    }

    private static byte[] PassJson(ApplePassContent content, AppleWalletOptions options)
    {
        var ticket = content.Ticket;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", 1);
            json.WriteString("passTypeIdentifier", options.PassTypeIdentifier);
            json.WriteString("serialNumber", content.SerialNumber);
            json.WriteString("teamIdentifier", options.TeamIdentifier);
            json.WriteString("organizationName", options.OrganizationName);
            json.WriteString("description", $"Ticket for {ticket.EventName}");
            json.WriteString("logoText", options.OrganizationName);
            json.WriteString("foregroundColor", "rgb(255, 255, 255)");
            json.WriteString("backgroundColor", "rgb(30, 41, 59)");
            json.WriteString("labelColor", "rgb(148, 163, 184)");
            json.WriteString("webServiceURL", content.WebServiceUrl.ToString().TrimEnd('/'));
            json.WriteString("authenticationToken", content.AuthenticationToken);
            json.WriteBoolean("sharingProhibited", true);
            if (content.Voided)
            {
                json.WriteBoolean("voided", true);
            }

            if (ticket.Event.StartsAt is { } startsAt)
            {
                json.WriteString("relevantDate", startsAt);
            }

            if (content.ExpiresAt is { } expiresAt)
            {
                json.WriteString("expirationDate", expiresAt);
            }

            if (content.Barcode is { } barcode)
            {
                json.WriteStartArray("barcodes");
                json.WriteStartObject();
                json.WriteString("format", "PKBarcodeFormatQR");
                json.WriteString("message", barcode);
                json.WriteString("messageEncoding", "iso-8859-1");
                json.WriteString("altText", ticket.Number);
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteStartObject("eventTicket");
            Fields(json, "headerFields", ("date", "DATE", ticket.Event.StartsAt is { } start ? start : null, true));
            Fields(json, "primaryFields", ("event", "EVENT", ticket.EventName, false));
            Fields(json, "secondaryFields", ("venue", "VENUE", ticket.Venue is { Length: > 0 } venue ? venue : null, false), ("seat", "SEAT", ticket.Seat, false));
            Fields(json, "auxiliaryFields", ("type", "TICKET", ticket.Ticket.TicketTypeName, false),
                ("holder", "HOLDER", content.Voided ? null : ticket.HolderName, false));
            Fields(json, "backFields", ("notice", "ENTRY", content.Notice, false), ("number", "TICKET NUMBER", ticket.Number, false),
                ("when", "WHEN", ticket.When, false));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void Fields(Utf8JsonWriter json, string name, params (string Key, string Label, object? Value, bool Date)[] fields)
    {
        json.WriteStartArray(name);
        foreach (var (key, label, value, date) in fields.Where(f => f.Value is not null))
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WriteString("label", label);
            if (value is DateTimeOffset at)
            {
                json.WriteString("value", at);
            }
            else
            {
                json.WriteString("value", value!.ToString());
            }

            if (date)
            {
                json.WriteString("dateStyle", "PKDateStyleMedium");
                json.WriteString("timeStyle", "PKDateStyleShort");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static byte[] Manifest(IEnumerable<(string Name, byte[] Content)> files)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (name, content) in files)
            {
                // SHA-1 is what the pass format names for its manifest; the signature over the manifest uses SHA-256.
#pragma warning disable CA5350
                json.WriteString(name, Convert.ToHexStringLower(SHA1.HashData(content)));
#pragma warning restore CA5350
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] Sign(byte[] manifest, ApplePassCertificates certificates, DateTimeOffset now)
    {
        var signed = new SignedCms(new ContentInfo(manifest), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificates.PassCertificate)
        {
            IncludeOption = X509IncludeOption.EndCertOnly,
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"), // SHA-256
        };
        signer.Certificates.Add(certificates.Intermediate);
        signer.SignedAttributes.Add(new Pkcs9SigningTime(now.UtcDateTime));
        signed.ComputeSignature(signer, silent: true);
        return signed.Encode();
    }

    private static byte[] Image(string name)
    {
        using var stream = typeof(ApplePass).Assembly.GetManifestResourceStream($"TicketToken.Tickets.Domain.PassImages.{name}")
            ?? throw new InvalidOperationException($"The pass image {name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
