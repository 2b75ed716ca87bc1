using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using QRCoder;

namespace TicketToken.Tickets.Domain;

/// <summary>One page of the PDF: the ticket, and the pass code its QR shows (null: the organizer admits only the app's code).</summary>
public sealed record TicketPage(CarriedTicket Ticket, string? PassCode);

/// <summary>
/// The printable tickets (PDFsharp 6.2.4, MIT): one A4 page per ticket in one document, with the event, its date and venue,
/// the seat or general admission, the holder, the QR of the ticket's pass code and the same code in text, which a gate
/// can type in or check offline. Fonts: DejaVu Sans from <see cref="TicketsOptions.PdfFontDirectory"/> (<see cref="PdfFonts"/>).
/// </summary>
public static class TicketPdf
{
    private const string Family = PdfFonts.Family;
    private static readonly XColor Slate = XColor.FromArgb(30, 41, 59);
    private static readonly XColor Grey = XColor.FromArgb(100, 116, 139);

    // PDFsharp keeps its font caches in statics; one document at a time keeps them out of each other's way.
    private static readonly Lock Rendering = new();

    public static byte[] Render(IReadOnlyList<TicketPage> pages, DateTimeOffset madeAt)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pages.Count);
        lock (Rendering)
        {
            using var document = new PdfDocument();
            document.Info.Title = pages.Count == 1 ? $"Ticket — {pages[0].Ticket.EventName}" : $"{pages.Count} tickets — {pages[0].Ticket.EventName}";
            document.Info.Creator = "TicketToken";
            document.Info.CreationDate = madeAt.UtcDateTime;
            for (var i = 0; i < pages.Count; i++)
            {
                var page = document.AddPage();
                page.Size = PageSize.A4;
                using var graphics = XGraphics.FromPdfPage(page);
                Draw(graphics, pages[i], i + 1, pages.Count, page.Width.Point);
            }

            using var output = new MemoryStream();
            document.Save(output, closeStream: false);
            return output.ToArray();
        }
    }

    private static void Draw(XGraphics graphics, TicketPage page, int number, int count, double width)
    {
        var ticket = page.Ticket;
        const double margin = 56;
        var heading = new XFont(Family, 11, XFontStyleEx.Bold);
        // A long name (catalog allows 200 characters) gets a smaller font, so it stays within the four lines above the details.
        var title = new XFont(Family, 22, XFontStyleEx.Bold);
        if (graphics.MeasureString(ticket.EventName, title).Width > 2 * (width - 2 * margin))
        {
            title = new XFont(Family, 13, XFontStyleEx.Bold);
        }
        var label = new XFont(Family, 9, XFontStyleEx.Regular);
        var value = new XFont(Family, 13, XFontStyleEx.Regular);
        var small = new XFont(Family, 9, XFontStyleEx.Regular);
        var text = new XTextFormatter(graphics);

        graphics.DrawRectangle(new XSolidBrush(Slate), 0, 0, width, 64);
        graphics.DrawString("TicketToken", heading, XBrushes.White, new XRect(margin, 24, 200, 20), XStringFormats.TopLeft);
        graphics.DrawString(string.Create(CultureInfo.InvariantCulture, $"Ticket {number} of {count}"), heading, XBrushes.White,
            new XRect(width - margin - 200, 24, 200, 20), XStringFormats.TopRight);

        text.DrawString(ticket.EventName, title, new XSolidBrush(Slate), new XRect(margin, 88, width - 2 * margin, 64), XStringFormats.TopLeft);
        var y = 160.0;
        foreach (var (name, content) in Details(ticket))
        {
            graphics.DrawString(name.ToUpperInvariant(), label, new XSolidBrush(Grey), new XRect(margin, y, 140, 14), XStringFormats.TopLeft);
            text.DrawString(content, value, XBrushes.Black, new XRect(margin + 110, y - 2, width - 2 * margin - 110, 34), XStringFormats.TopLeft);
            y += 30;
        }

        y += 16;
        const double qrSize = 220;
        if (page.PassCode is { } code)
        {
            DrawQrCode(graphics, code, (width - qrSize) / 2, y, qrSize);
            y += qrSize + 8;
            graphics.DrawString(code, small, XBrushes.Black, new XRect(margin, y, width - 2 * margin, 14), XStringFormats.TopCenter);
            y += 30;
            text.DrawString("Show this code at the entrance, printed or on screen. It admits as the event's entry policy allows, and stops working "
                + "if the ticket is given away, resold or reissued: then print the new owner's ticket.", small, new XSolidBrush(Grey),
                new XRect(margin, y, width - 2 * margin, 60), XStringFormats.TopLeft);
        }
        else
        {
            text.DrawString("The organizer of this event admits only the rotating code of the TicketToken app: open the ticket in the app at the "
                + "entrance. This page is your receipt of the ticket, not an entry code.", value, XBrushes.Black,
                new XRect(margin, y, width - 2 * margin, 80), XStringFormats.TopLeft);
        }
    }

    /// <summary>
    /// The QR as vector squares (QRCoder's module matrix, quiet zone included): sharp at any zoom or printer, and no
    /// bitmap for PDFsharp to decode. Each row's runs of dark modules are one rectangle, a hair taller so rows leave no seam.
    /// </summary>
    private static void DrawQrCode(XGraphics graphics, string text, double x, double y, double size)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        var module = size / modules.Count;
        for (var row = 0; row < modules.Count; row++)
        {
            for (var column = 0; column < modules.Count;)
            {
                if (!modules[row][column])
                {
                    column++;
                    continue;
                }

                var start = column;
                while (column < modules.Count && modules[row][column])
                {
                    column++;
                }

                graphics.DrawRectangle(XBrushes.Black, x + start * module, y + row * module, (column - start) * module, module * 1.05);
            }
        }
    }

    private static IEnumerable<(string Name, string Content)> Details(CarriedTicket ticket)
    {
        if (ticket.When is { } when)
        {
            yield return ("When", when);
        }

        if (ticket.Venue is { Length: > 0 } venue)
        {
            yield return ("Where", venue);
        }

        yield return ("Seat", ticket.Seat);
        yield return ("Ticket", ticket.Ticket.TicketTypeName);
        if (ticket.HolderName is { Length: > 0 } holder)
        {
            yield return ("Holder", holder);
        }

        yield return ("Number", ticket.Number);
    }
}

/// <summary>
/// The PDF's fonts for PDFsharp, which finds none by itself on Linux: DejaVu Sans (regular and bold) read from a directory,
/// Debian's fonts-dejavu-core by default (scripts install it; the container image copies the two files). PDFsharp takes one
/// font resolver per process, so the first host to start chooses the directory.
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly Lock Installing = new();
    private static PdfFonts? _installed;
    private readonly string _directory;

    private PdfFonts(string directory) => _directory = directory;

    /// <summary>Whether both font files are where they were looked for.</summary>
    public static bool Available => _installed is { } fonts && File.Exists(fonts.PathOf(Regular)) && File.Exists(fonts.PathOf(Bold));

    /// <summary>Where the fonts are looked for, for the message that says they are missing.</summary>
    public static string? Directory => _installed?._directory;

    /// <summary>Makes this PDFsharp's font resolver unless one is already installed in this process.</summary>
    public static void Install(string directory)
    {
        lock (Installing)
        {
            if (_installed is null)
            {
                _installed = new PdfFonts(directory);
                GlobalFontSettings.FontResolver = _installed;
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[]? GetFont(string faceName) => File.ReadAllBytes(PathOf(faceName));

    private string PathOf(string faceName) => Path.Combine(_directory, faceName + ".ttf");
}
