using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketToken.Bench;

/// <summary>A fan's requests as the purchase benchmarks make them: bearer token, JSON body, idempotency key.</summary>
public static class Http
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string token, HttpMethod method, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The body of an answer with the <paramref name="expected"/> status; any other ends the fan's loop with what the server said.</summary>
    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == expected
            ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>
    /// The order's next state. With <paramref name="pollMs"/> 0, one request that waits for a change of the ETag it was
    /// given (Prefer: wait, answered 304 after 10 s without one); otherwise a plain GET every <paramref name="pollMs"/> ms.
    /// </summary>
    public static async Task<(JsonElement Order, string? ETag)> NextOrderAsync(HttpClient client, string token, Guid orderId, string? etag, int pollMs = 0)
    {
        while (true)
        {
            if (pollMs > 0 && etag is not null)
            {
                await Task.Delay(pollMs);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{orderId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (pollMs == 0 && etag is not null)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                request.Headers.TryAddWithoutValidation("Prefer", "wait=10");
            }

            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.NotModified)
            {
                return (await Json(response, HttpStatusCode.OK), response.Headers.ETag?.Tag);
            }
        }
    }
}
