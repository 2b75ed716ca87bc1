using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>Requests and answers as a client sees them.</summary>
public static class Api
{
    public static Task<HttpResponseMessage> PostRawJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>The tokens of a sign-in or refresh answer, as the <see cref="Person"/> they belong to.</summary>
    public static Person WithTokens(this Person person, JsonElement tokens) =>
        person with { AccessToken = tokens.Text("accessToken"), RefreshToken = tokens.Text("refreshToken") };

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string email, string password, string? totpCode = null, string? recoveryCode = null) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password, totpCode, recoveryCode });

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
}

/// <summary>Reads access tokens the way a client may (without verifying: the host verifies).</summary>
public static class Jwt
{
    public static JsonElement Header(string token) => Segment(token, 0);

    public static JsonElement Payload(string token) => Segment(token, 1);

    /// <summary>Every value of a claim, whether the token carries it as a string or an array.</summary>
    public static IReadOnlyList<string> Claims(string token, string name) =>
        !Payload(token).TryGetProperty(name, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
        : [value.GetString()!];

    public static string Kid(string token) => Header(token).Text("kid");

    public static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    private static JsonElement Segment(string token, int index)
    {
        using var json = JsonDocument.Parse(Base64UrlDecode(token.Split('.')[index]));
        return json.RootElement.Clone();
    }
}
