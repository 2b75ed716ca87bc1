using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// Encrypts secrets a module must read back (signing keys, TOTP seeds, per-event ticket keys) with AES-256-GCM under
/// the module's own configured key. Each module registers its own with
/// <see cref="SecretProtectorRegistration.AddSecretProtector"/> and resolves it keyed by its app-id.
/// </summary>
public sealed class SecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key.Length == 32 ? [.. key] : throw new ArgumentException("An AES-256 key is 32 bytes.", nameof(key));
    }

    /// <summary>
    /// The protector for the key in <paramref name="setting"/> (the base64 of 32 bytes). Without one, Production refuses
    /// to start; elsewhere a public development key derived from <paramref name="developmentSeed"/> is used, with a warning.
    /// </summary>
    public static SecretProtector FromSetting(string? configured, string setting, string developmentSeed, IHostEnvironment environment, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var key = new byte[32];
            return Convert.TryFromBase64String(configured, key, out var written) && written == 32
                ? new SecretProtector(key)
                : throw new InvalidOperationException($"{setting} must be the base64 of exactly 32 bytes (openssl rand -base64 32).");
        }

        if (environment.IsProduction())
        {
            throw new InvalidOperationException($"{setting} is not set. In Production it must come from a secret (openssl rand -base64 32).");
        }

        logger.LogWarning("{Setting} is not set: protecting secrets with the public development key. Never do this in Production.", setting);
        return new SecretProtector(SHA256.HashData(Encoding.UTF8.GetBytes(developmentSeed)));
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return output;
    }

    public byte[] Unprotect(ReadOnlySpan<byte> protectedData)
    {
        var plaintext = new byte[protectedData.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedData[..NonceSize], protectedData[(NonceSize + TagSize)..], protectedData.Slice(NonceSize, TagSize), plaintext);
        return plaintext;
    }
}

public static class SecretProtectorRegistration
{
    /// <summary>
    /// Registers the module's <see cref="SecretProtector"/>, keyed by <paramref name="appId"/>, on the key in
    /// <paramref name="setting"/>; the host refuses to start when the key is malformed, or missing in Production.
    /// </summary>
    public static IServiceCollection AddSecretProtector(this IServiceCollection services, string appId, string setting, string developmentSeed)
    {
        services.AddKeyedSingleton(appId, (sp, _) => SecretProtector.FromSetting(sp.GetRequiredService<IConfiguration>()[setting], setting, developmentSeed,
            sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<SecretProtector>()));
        services.AddSingleton<IHostedService>(sp => new SecretKeyCheck(() => sp.GetRequiredKeyedService<SecretProtector>(appId)));
        return services;
    }

    /// <summary>Reads the key when the host starts, so a wrong one stops the start instead of the first request that needs it.</summary>
    private sealed class SecretKeyCheck(Func<SecretProtector> resolve) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            resolve();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
