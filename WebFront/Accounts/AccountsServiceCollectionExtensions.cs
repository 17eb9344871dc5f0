using TicketFlow.WebFront.Cluster;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace TicketFlow.WebFront.Accounts;

public static class AccountsServiceCollectionExtensions
{
    private const string CookieOrBearer = "CookieOrBearer";

    /// <summary>The session cookie's name over plain HTTP (embedded <c>http://localhost</c>).</summary>
    public const string SessionCookie = "tf_session";

    /// <summary>Its name when the site is served over HTTPS: the <c>__Host-</c> prefix makes browsers insist on Secure, path /
    /// and no Domain, so no other host or plain-HTTP page can set or overwrite it.</summary>
    public const string SecureSessionCookie = "__Host-tf_session";

    /// <summary>Users (PostgreSQL in cluster mode, SQLite embedded), password hashing, cookie + bearer authentication.
    /// <paramref name="servedOverHttps"/>: the public URLs are https, or <c>Site:Https</c> says a TLS proxy is in front.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, bool servedOverHttps)
    {
        services.AddStore<IUserRepository>(database => new SqlUserRepository(database));
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton(TimeProvider.System);
        services.Configure<LoginThrottleOptions>(configuration.GetSection(LoginThrottleOptions.Section));
        services.AddSingleton<LoginThrottle>();
        services.Configure<RegisterRateLimitOptions>(configuration.GetSection(RegisterRateLimitOptions.Section));
        services.AddSingleton<RegistrationLimiter>();
        services.AddSingleton<AccountService>();
        services.AddOptions<AccountSessionOptions>().Bind(configuration.GetSection(AccountSessionOptions.Section))
            .Validate(options => options.IsValid, $"{AccountSessionOptions.Section}: StampCacheLifetime and TokenCacheLifetime are 0 to 30 seconds " +
                "(an ended session must stop working within 30 s), TokenCacheEntries at least 1.")
            .ValidateOnStart();
        services.AddSingleton<RefreshTokenStore>();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<BearerTicketCache>();
        services.AddSingleton<SessionTokens>();
        services.Configure<AdminAccountOptions>(options =>
        {
            options.Email = configuration["TICKETFLOW_ADMIN_EMAIL"] ?? configuration["Admin:Email"];
            options.Password = configuration["TICKETFLOW_ADMIN_PASSWORD"] ?? configuration["Admin:Password"];
        });
        services.AddHostedService<AccountsBootstrap>();

        services.AddAuthentication(CookieOrBearer)
            .AddPolicyScheme(CookieOrBearer, "Cookie for the web UI, bearer token for API clients", options =>
                options.ForwardDefaultSelector = http => BearerToken(http.Request) is not null
                    ? BearerTokenDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = servedOverHttps ? SecureSessionCookie : SessionCookie;
                options.Cookie.HttpOnly = true;
                // Strict: no cross-site request carries it, not even a top-level link (the pages and the API check the
                // antiforgery token or Origin besides, for browsers that ignore SameSite).
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = servedOverHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                // Pages send a fan to the sign-in page and back; the API, the hub and the dashboard's own calls answer 401/403.
                options.LoginPath = "/account/signin";
                options.AccessDeniedPath = "/account/denied";
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
                options.Events.OnValidatePrincipal = ValidateCookieAsync;
            })
            .AddBearerToken(options => options.Events.OnMessageReceived = ValidateBearerAsync);
        services.AddAuthorization();
        services.AddAntiforgery(options =>
        {
            options.HeaderName = "X-CSRF-TOKEN";
            options.Cookie.Name = servedOverHttps ? "__Host-tf_csrf" : "tf_csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = servedOverHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, the scheme in any case (<c>bearer</c>, <c>BEARER</c>); null without one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    /// <summary>A cookie whose security stamp is no longer its user's ends here (and is deleted); its roles become the stored ones.</summary>
    private static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        var principal = await context.HttpContext.RequestServices.GetRequiredService<SessionValidator>().ValidateAsync(context.Principal!);
        if (principal is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
        else if (!ReferenceEquals(principal, context.Principal))
        {
            context.ReplacePrincipal(principal);
            context.ShouldRenew = true;
        }
    }

    /// <summary>Reads the token (the handler itself reads only "Bearer " so spelled; a scheme is case-insensitive, RFC 9110 §11.1),
    /// decrypted at most once per <see cref="AccountSessionOptions.TokenCacheLifetime"/>, and checks its expiry and security
    /// stamp on every request; an unreadable or expired token is left to the handler, which refuses it as before.</summary>
    private static async Task ValidateBearerAsync(MessageReceivedContext context)
    {
        if (BearerToken(context.Request) is not { } token) return;
        context.Token = token;
        var ticket = context.HttpContext.RequestServices.GetRequiredService<BearerTicketCache>().Unprotect(token, context.Options.BearerTokenProtector);
        if (ticket?.Properties.ExpiresUtc is not { } expires || (context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow() >= expires) return;
        var principal = await context.HttpContext.RequestServices.GetRequiredService<SessionValidator>().ValidateAsync(ticket.Principal);
        if (principal is null)
        {
            context.Fail("This session has ended (signed out everywhere, a new password or new roles): sign in again.");
            return;
        }
        context.Principal = principal;
        context.Properties = ticket.Properties;
        context.Success();
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments(Hosting.ClusterDashboard.Path))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
