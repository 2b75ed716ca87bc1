using System.Diagnostics;
using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>TOTP enrolment, sign-in with a second factor, recovery codes and turning MFA off.</summary>
public sealed class MfaTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Enrolment_returns_the_secret_and_an_otpauth_uri_for_the_account()
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp");

        var enrolment = await response.ShouldBeAsync(HttpStatusCode.OK);
        var secret = enrolment.Text("secret");
        secret.Should().MatchRegex("^[A-Z2-7]{32}$", "20 random bytes in base32");
        Authenticator.DecodeBase32(secret).Should().HaveCount(20);
        var otpauth = enrolment.Text("otpauthUri");
        otpauth.Should().StartWith($"otpauth://totp/TicketToken:{Uri.EscapeDataString(fan.Email)}?secret={secret}&issuer=TicketToken");
        var uri = new Uri(otpauth);
        Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')).Should().Be($"TicketToken:{fan.Email}");
        var query = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        query.Should().Contain(new Dictionary<string, string> { ["secret"] = secret, ["issuer"] = "TicketToken", ["algorithm"] = "SHA1", ["digits"] = "6", ["period"] = "30" });
        enrolment.Text("qrCodeUrl").Should().Be("/api/me/mfa/totp/qr");
        using var profile = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        (await profile.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("mfaEnabled").GetBoolean().Should().BeFalse("MFA is on only once a code is verified");
    }

    [Fact]
    public async Task The_enrolment_qr_code_is_served_as_png_and_as_svg()
    {
        var fan = await fixture.Personas.FanAsync();
        using var noEnrolment = await _client.SendAsync(fan, HttpMethod.Get, "/api/me/mfa/totp/qr");
        await noEnrolment.ShouldBeProblemAsync(HttpStatusCode.Conflict, "no_enrolment_pending");
        await StartEnrolmentAsync(fan);

        using var png = await _client.SendAsync(fan, HttpMethod.Get, "/api/me/mfa/totp/qr");
        using var svg = await _client.SendAsync(fan, HttpMethod.Get, "/api/me/mfa/totp/qr?format=svg");
        using var gif = await _client.SendAsync(fan, HttpMethod.Get, "/api/me/mfa/totp/qr?format=gif");

        png.StatusCode.Should().Be(HttpStatusCode.OK);
        png.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        (await png.Content.ReadAsByteArrayAsync()).Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        svg.StatusCode.Should().Be(HttpStatusCode.OK);
        svg.Content.Headers.ContentType!.MediaType.Should().Be("image/svg+xml");
        (await svg.Content.ReadAsStringAsync()).Should().Contain("<svg");
        await gif.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unsupported_format");
    }

    [ToolFact("zbarimg", "zbar-tools")]
    public async Task The_enrolment_qr_code_decodes_to_the_otpauth_uri()
    {
        var fan = await fixture.Personas.FanAsync();
        var (_, otpauth) = await StartEnrolmentAsync(fan);
        using var png = await _client.SendAsync(fan, HttpMethod.Get, "/api/me/mfa/totp/qr");
        var image = Path.Combine(Path.GetTempPath(), $"tickettoken-qr-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(image, await png.Content.ReadAsByteArrayAsync());
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
            decoded.TrimEnd('\n').Should().Be(otpauth);
        }
        finally
        {
            File.Delete(image);
        }
    }

    [Fact]
    public async Task Verifying_a_first_code_turns_mfa_on_and_returns_ten_recovery_codes()
    {
        var fan = await fixture.Personas.FanAsync();
        var (secret, _) = await StartEnrolmentAsync(fan);

        using var wrong = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp/verify", new { code = Authenticator.WrongCode(secret) });
        await wrong.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_mfa_code");
        using var verified = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp/verify", new { code = Authenticator.Code(secret, Authenticator.CurrentStep) });

        var codes = (await verified.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        codes.Should().HaveCount(10).And.OnlyHaveUniqueItems();
        codes.Should().OnlyContain(c => c.Length == 11 && c[5] == '-');
        using var profile = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        (await profile.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("mfaEnabled").GetBoolean().Should().BeTrue();
        using var again = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp");
        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "mfa_already_enabled");
    }

    [Fact]
    public async Task With_mfa_on_signing_in_needs_a_right_code_and_each_code_works_once()
    {
        var fan = await fixture.Personas.FanAsync();
        var (secret, enrolledAt, _) = await EnrolAsync(fan);

        using var withoutCode = await _client.LoginAsync(fan.Email, fan.Password);
        await withoutCode.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "mfa_required");
        using var wrongCode = await _client.LoginAsync(fan.Email, fan.Password, Authenticator.WrongCode(secret));
        await wrongCode.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_code");
        var code = Authenticator.Code(secret, enrolledAt + 1);
        using var rightCode = await _client.LoginAsync(fan.Email, fan.Password, code);
        var tokens = await rightCode.ShouldBeAsync(HttpStatusCode.OK);
        Jwt.Claims(tokens.Text("accessToken"), "amr").Should().BeEquivalentTo("pwd", "mfa");
        using var sameCodeAgain = await _client.LoginAsync(fan.Email, fan.Password, code);
        await sameCodeAgain.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_code");
        using var rightCodeWrongPassword = await _client.LoginAsync(fan.Email, "not the right password", Authenticator.Code(secret, enrolledAt + 1));
        await rightCodeWrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        var fan = await fixture.Personas.FanAsync();
        var (_, _, recoveryCodes) = await EnrolAsync(fan);
        var code = recoveryCodes[3];

        using var first = await _client.LoginAsync(fan.Email, fan.Password, recoveryCode: code.ToUpperInvariant().Replace("-", " ", StringComparison.Ordinal));
        using var second = await _client.LoginAsync(fan.Email, fan.Password, recoveryCode: code);
        using var another = await _client.LoginAsync(fan.Email, fan.Password, recoveryCode: recoveryCodes[4]);

        var tokens = await first.ShouldBeAsync(HttpStatusCode.OK);
        Jwt.Claims(tokens.Text("accessToken"), "amr").Should().BeEquivalentTo("pwd", "mfa");
        await second.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_code");
        await another.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Mfa_is_turned_off_with_the_password_and_a_second_factor()
    {
        var fan = await fixture.Personas.FanAsync();
        var (secret, _, recoveryCodes) = await EnrolAsync(fan);

        using var wrongPassword = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/disable", new { password = "not the right password", recoveryCode = recoveryCodes[0] });
        await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "wrong_password");
        using var wrongCode = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/disable", new { password = fan.Password, totpCode = Authenticator.WrongCode(secret) });
        await wrongCode.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_mfa_code");
        using var disabled = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/disable", new { password = fan.Password, recoveryCode = recoveryCodes[0] });

        await disabled.ShouldBeAsync(HttpStatusCode.NoContent);
        using var profile = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        (await profile.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("mfaEnabled").GetBoolean().Should().BeFalse();
        using var login = await _client.LoginAsync(fan.Email, fan.Password);
        await login.ShouldBeAsync(HttpStatusCode.OK);
        using var oldRecoveryCode = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/disable", new { password = fan.Password, recoveryCode = recoveryCodes[1] });
        await oldRecoveryCode.ShouldBeProblemAsync(HttpStatusCode.Conflict, "mfa_not_enabled");
    }

    private async Task<(byte[] Secret, string Otpauth)> StartEnrolmentAsync(Person person)
    {
        using var response = await _client.SendAsync(person, HttpMethod.Post, "/api/me/mfa/totp");
        var enrolment = await response.ShouldBeAsync(HttpStatusCode.OK);
        return (Authenticator.DecodeBase32(enrolment.Text("secret")), enrolment.Text("otpauthUri"));
    }

    /// <summary>Turns MFA on with the code of the current step; returns that step (the next code to use is of the step after it).</summary>
    private async Task<(byte[] Secret, long Step, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(Person person)
    {
        var (secret, _) = await StartEnrolmentAsync(person);
        var step = Authenticator.CurrentStep;
        using var verified = await _client.SendAsync(person, HttpMethod.Post, "/api/me/mfa/totp/verify", new { code = Authenticator.Code(secret, step) });
        var body = await verified.ShouldBeAsync(HttpStatusCode.OK);
        return (secret, step, [.. body.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!)]);
    }
}
