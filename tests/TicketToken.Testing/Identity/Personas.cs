using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;

namespace TicketToken.Testing.Identity;

/// <summary>A signed-in person as a test sees them: who they are and their current tokens.</summary>
public sealed record Person(Guid UserId, string Email, string Password, string AccessToken, string RefreshToken)
{
    /// <summary>A request with this person's access token.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }
}

public static class PersonRequests
{
    /// <summary>Sends a request with <paramref name="person"/>'s access token.</summary>
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, Person person, HttpMethod method, string path, object? body = null)
    {
        using var request = person.Request(method, path, body);
        return await client.SendAsync(request);
    }
}

/// <summary>A scanner device signed in with the credentials an organizer admin issued.</summary>
public sealed record ScannerDevice(Guid DeviceId, string Secret, Guid OrganizerId, Guid VenueId, string AccessToken);

/// <summary>
/// Makes people, organizers and devices through the identity module's real HTTP API, the way clients do, so
/// every token a test uses was issued and signed by identity and is validated through its JWKS.
/// </summary>
public sealed class Personas(HttpClient client)
{
    public const string DefaultPassword = "correct horse battery staple";

    /// <summary>The address <see cref="TestHost"/> configures as a platform admin.</summary>
    public const string PlatformAdminEmail = "platform-admin@tickettoken.test";

    public HttpClient Client { get; } = client;

    public static string NewEmail(string who = "fan") => $"{who}-{Guid.NewGuid():N}@example.com";

    public async Task<Person> FanAsync(string? email = null, string password = DefaultPassword)
    {
        email ??= NewEmail();
        using var registered = await Client.PostAsJsonAsync("/api/auth/register", new { email, password, displayName = email.Split('@')[0] });
        registered.StatusCode.Should().Be(HttpStatusCode.Accepted, await registered.Content.ReadAsStringAsync());
        return await LoginAsync(email, password);
    }

    public async Task<Person> LoginAsync(string email, string password = DefaultPassword, string? totpCode = null)
    {
        using var response = await Client.PostAsJsonAsync("/api/auth/login", new { email, password, totpCode });
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var access = json.RootElement.GetProperty("accessToken").GetString()!;
        return new Person(SubjectOf(access), email, password, access, json.RootElement.GetProperty("refreshToken").GetString()!);
    }

    /// <summary>New tokens for the person (after a role change, a token carries the new roles).</summary>
    public async Task<Person> RefreshAsync(Person person)
    {
        using var response = await Client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = person.RefreshToken });
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return person with { AccessToken = json.RootElement.GetProperty("accessToken").GetString()!, RefreshToken = json.RootElement.GetProperty("refreshToken").GetString()! };
    }

    public Task<Person> PlatformAdminAsync() => FanAsync(PlatformAdminEmail);

    /// <summary>
    /// Invites a fresh person to <paramref name="organizerId"/> as <paramref name="role"/>, reads the code from the
    /// <c>identity.staff-invited</c> event (the host must run <see cref="EventCaptureModule"/> on that topic), accepts it,
    /// and returns the person with a token that carries the role.
    /// </summary>
    public async Task<Person> StaffAsync(Person admin, Guid organizerId, string role, CapturedEvents events)
    {
        var staff = await FanAsync(NewEmail(role.Replace('_', '-')));
        using var invite = admin.Request(HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email = staff.Email, role });
        using var invited = await Client.SendAsync(invite);
        invited.StatusCode.Should().Be(HttpStatusCode.Created, await invited.Content.ReadAsStringAsync());
        var staffEmail = staff.Email;
        var @event = await events.WaitForAsync("identity.staff-invited", e => e.GetProperty("email").GetString() == staffEmail);
        using var accept = staff.Request(HttpMethod.Post, "/api/invitations/accept", new { code = @event.GetProperty("code").GetString() });
        using var accepted = await Client.SendAsync(accept);
        accepted.StatusCode.Should().Be(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        return await RefreshAsync(staff);
    }

    /// <summary>A fresh person who creates an organizer and so becomes its admin; returns them with a token that says so.</summary>
    public async Task<(Person Admin, Guid OrganizerId)> OrganizerAdminAsync(string organizerName = "Acme Live")
    {
        var admin = await FanAsync(NewEmail("admin"));
        using var request = admin.Request(HttpMethod.Post, "/api/organizers", new { name = organizerName });
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return (await RefreshAsync(admin), json.RootElement.GetProperty("id").GetGuid());
    }

    /// <summary>A venue of <paramref name="organizerId"/>, made through the catalog module's API (the host must run catalog).</summary>
    public async Task<Guid> VenueAsync(Person admin, Guid organizerId, string name = "Harbour Hall")
    {
        using var request = admin.Request(HttpMethod.Post, "/api/venues", new
        {
            organizerId, name, timeZone = "Europe/Berlin", capacity = 1000,
            address = new { line1 = "Kai 1", city = "Hamburg", postalCode = "20457", country = "DE" },
        });
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// Registers a scanner device for <paramref name="venueId"/> (a new venue of the organizer when not given; the host
    /// must then run catalog) and <paramref name="zones"/> (default GA) as <paramref name="admin"/>, and signs it in.
    /// </summary>
    public async Task<ScannerDevice> DeviceAsync(Person admin, Guid organizerId, Guid? venueId = null, IReadOnlyList<string>? zones = null)
    {
        var venue = venueId ?? await VenueAsync(admin, organizerId);
        using var request = admin.Request(HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = "Gate A scanner", venueId = venue, zones });
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        var deviceId = json.RootElement.GetProperty("deviceId").GetGuid();
        var secret = json.RootElement.GetProperty("secret").GetString()!;
        using var token = await Client.PostAsJsonAsync("/api/devices/token", new { deviceId, secret });
        var tokenBody = await token.Content.ReadAsStringAsync();
        token.StatusCode.Should().Be(HttpStatusCode.OK, tokenBody);
        using var tokenJson = JsonDocument.Parse(tokenBody);
        return new ScannerDevice(deviceId, secret, organizerId, venue, tokenJson.RootElement.GetProperty("accessToken").GetString()!);
    }

    /// <summary>The <c>sub</c> of an access token (read, not verified: the host verifies).</summary>
    public static Guid SubjectOf(string accessToken)
    {
        var payload = accessToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return Guid.Parse(json.RootElement.GetProperty("sub").GetString()!);
    }
}
