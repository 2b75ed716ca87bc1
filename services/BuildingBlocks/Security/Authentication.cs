using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Polly;
using Polly.Retry;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>JWT bearer authentication against identity's JWKS, and the five policies, for every module of the host.</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddTicketTokenAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(options);
        services.AddSingleton<ValidatedTokens>();
        services.AddSingleton(sp => new JwksKeyCache(new JwksDocumentRetriever(sp, options), options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReauthenticationProofs>();
        // A fetch rides over an identity pod restarting: two quick retries, each attempt at most 10 s. It runs on the
        // path of the request that met an unknown key id, so it stays short; the cached keys cover the rest.
        services.AddResiliencePipeline(Resilience.JwksFetch, pipeline => pipeline
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = Resilience.Transient,
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
            })
            .AddTimeout(TimeSpan.FromSeconds(10)));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwksKeyCache>((bearer, keys) =>
            {
                bearer.MapInboundClaims = false;
                bearer.RequireHttpsMetadata = false; // keys come through service invocation, not from an authority URL
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    ValidTypes = ["at+jwt"],
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = options.ClockSkew,
                    NameClaimType = TokenClaims.Subject,
                    RoleClaimType = TokenClaims.Role,
                    IssuerSigningKeyResolver = (_, _, _, _) => keys.Keys,
                };
                bearer.Events = new JwtBearerEvents { OnMessageReceived = LoadKeysAsync, OnTokenValidated = RememberToken, OnChallenge = ChallengeAsync, OnForbidden = ForbiddenAsync };
            });

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RoutesOnlyFallback>();
        services.AddAuthorizationBuilder()
            // Defence in depth: a route that states no policy needs a valid token (and fails the authorization matrix test).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Fan, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => Person(c) is not null))
            .AddPolicy(Policies.OrganizerAdmin, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(c => Person(c) is { } caller && (caller.IsPlatformAdmin || caller.AdministeredOrganizers.Count > 0)))
            .AddPolicy(Policies.BoxOffice, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(c => Person(c) is { } caller && (caller.IsPlatformAdmin || caller.StaffOrganizers.Count > 0)))
            .AddPolicy(Policies.Scanner, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(c => Caller.From(c.User) is { IsDevice: true, DeviceId: not null, VenueId: not null, DeviceOrganizerId: not null }))
            .AddPolicy(Policies.PlatformAdmin, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(c => Person(c) is { IsPlatformAdmin: true }));
        return services;
    }

    /// <summary>
    /// A token validated before is taken as it was (<see cref="ValidatedTokens"/>). Otherwise, before it is validated, the key
    /// cache learns its key id if it can (a rotation happened, or the cache is cold).
    /// </summary>
    private static async Task LoadKeysAsync(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var token = header["Bearer ".Length..].Trim();
        context.Token = token;
        if (context.HttpContext.RequestServices.GetRequiredService<ValidatedTokens>().Find(token) is { } principal)
        {
            context.Principal = principal;
            context.Success();
            return;
        }

        string? kid = null;
        try
        {
            kid = new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return; // not a JWT: validation refuses it without any fetch
        }

        try
        {
            await context.HttpContext.RequestServices.GetRequiredService<JwksKeyCache>().EnsureAsync(kid, context.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Identity unreachable: validate with the keys already known; tokens they cannot verify are refused.
            context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()
                .CreateLogger("TicketToken.Auth").LogWarning(ex, "Could not fetch the identity key set; validating with the cached keys.");
        }
    }

    private static Task RememberToken(TokenValidatedContext context)
    {
        if (context.SecurityToken is JsonWebToken token && context.Principal is { } principal)
        {
            context.HttpContext.RequestServices.GetRequiredService<ValidatedTokens>().Remember(token.EncodedToken, principal, new DateTimeOffset(token.ValidTo, TimeSpan.Zero));
        }

        return Task.CompletedTask;
    }

    private static Caller? Person(AuthorizationHandlerContext context) =>
        Caller.From(context.User) is { IsDevice: false, UserId: not null } caller ? caller : null;

    private static async Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var expired = context.AuthenticateFailure is SecurityTokenExpiredException;
        var presented = context.AuthenticateFailure is not null;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = presented
            ? $"Bearer error=\"invalid_token\", error_description=\"{(expired ? "The token expired" : "The token is not valid")}\""
            : "Bearer";
        await WriteAsync(context.HttpContext, new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = expired ? "The access token expired." : presented ? "The access token is not valid." : "Sign in first.",
            Detail = presented ? "Refresh the session or sign in again." : "Send an access token from POST /api/auth/login as 'Authorization: Bearer <token>'.",
            Extensions = { ["code"] = expired ? "token_expired" : presented ? "invalid_token" : "unauthenticated" },
        });
    }

    private static Task ForbiddenAsync(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteAsync(context.HttpContext, new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Your role does not allow this operation.",
            Extensions = { ["code"] = "forbidden" },
        });
    }

    private static Task WriteAsync(HttpContext context, ProblemDetails problem) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
}

/// <summary>
/// The fallback policy guards routes that forgot to state a rule. A request that matched no route (an unknown path,
/// a wrong method or content type, Swagger UI's static files) holds no data, and keeps its own answer: 404, 405, 415.
/// </summary>
internal sealed class RoutesOnlyFallback : IAuthorizationMiddlewareResultHandler
{
    private readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult) =>
        !authorizeResult.Succeeded && context.GetEndpoint() is not Microsoft.AspNetCore.Routing.RouteEndpoint
            ? next(context)
            : _default.HandleAsync(next, context, policy, authorizeResult);
}
