using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.BuildingBlocks.Http;

/// <summary>QR images the API answers with (an authenticator's enrolment URI, a ticket's entry code): PNG or SVG.</summary>
public static class QrImages
{
    /// <summary>True for <c>svg</c>, false for <c>png</c> or nothing; anything else is a 400 <c>unsupported_format</c>.</summary>
    public static bool IsSvg(string? format) => format?.ToUpperInvariant() switch
    {
        null or "PNG" => false,
        "SVG" => true,
        _ => throw UnsupportedFormat(),
    };

    public static ProblemException UnsupportedFormat() => new(StatusCodes.Status400BadRequest, "unsupported_format", "The format must be png or svg.");

    /// <summary>Draws <paramref name="text"/> (error correction M, 8 pixels a module).</summary>
    public static FileContentHttpResult Render(string text, bool svg)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return svg
            ? TypedResults.File(Encoding.UTF8.GetBytes(new SvgQRCode(data).GetGraphic(8)), "image/svg+xml")
            : TypedResults.File(new PngByteQRCode(data).GetGraphic(8), "image/png");
    }
}
