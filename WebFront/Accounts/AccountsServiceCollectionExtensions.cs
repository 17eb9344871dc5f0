using TicketFlow.WebFront.Cluster;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace TicketFlow.WebFront.Accounts;

public static class AccountsServiceCollectionExtensions
{
    private const string CookieOrBearer = "CookieOrBearer";

    /// <summary>How long a bearer token from login is accepted.</summary>
    public static readonly TimeSpan BearerTokenLifetime = TimeSpan.FromHours(1);

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
            })
            .AddBearerToken(options =>
            {
                options.BearerTokenExpiration = BearerTokenLifetime;
                // The handler itself reads only "Bearer " so spelled; a scheme is case-insensitive (RFC 9110 §11.1).
                options.Events.OnMessageReceived = context =>
                {
                    context.Token = BearerToken(context.Request);
                    return Task.CompletedTask;
                };
            });
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
