using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TicketToken.Identity.Domain;

/// <summary>Makes the first signing key at start, then checks every few minutes whether the next one is due.</summary>
internal sealed class SigningKeyRotation(SigningKeys keys, TimeProvider time, ILogger<SigningKeyRotation> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        do
        {
            try
            {
                await keys.EnsureRotatedAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Checking the signing keys failed; retrying in {Interval}", CheckEvery);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
