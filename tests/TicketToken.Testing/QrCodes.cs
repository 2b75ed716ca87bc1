using System.Diagnostics;
using FluentAssertions;

namespace TicketToken.Testing;

/// <summary>
/// Reads a QR image as a scanner would, with <c>zbarimg</c> (Debian's zbar-tools); tests that use it are
/// <see cref="ToolFactAttribute"/>s, or check <see cref="Available"/> and say so when it is not.
/// </summary>
public static class QrCodes
{
    public static bool Available => ToolFactAttribute.Find("zbarimg") is not null;

    public static async Task<string> DecodeAsync(byte[] png)
    {
        var image = Path.Combine(Path.GetTempPath(), $"tickettoken-qr-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(image, png);
        try
        {
            var start = new ProcessStartInfo("zbarimg") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "--raw", "--quiet", image })
            {
                start.ArgumentList.Add(argument);
            }

            using var zbarimg = Process.Start(start)!;
            var decoded = await zbarimg.StandardOutput.ReadToEndAsync();
            var errors = await zbarimg.StandardError.ReadToEndAsync();
            await zbarimg.WaitForExitAsync();
            zbarimg.ExitCode.Should().Be(0, errors);
            return decoded.TrimEnd('\n');
        }
        finally
        {
            File.Delete(image);
        }
    }
}
