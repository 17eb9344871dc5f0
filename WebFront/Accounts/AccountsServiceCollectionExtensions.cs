using TicketFlow.WebFront.Cluster;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace TicketFlow.WebFront.Accounts;

public static class AccountsServiceCollectionExtensions
{
    private const string CookieOrBearer = "CookieOrBearer";

    /// <summary>How long a bearer token from login is accepted.</summary>
    public static readonly TimeSpan BearerTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>Users (PostgreSQL in cluster mode, SQLite embedded), password hashing, cookie + bearer authentication.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStore<IUserRepository>(database => new SqlUserRepository(database));
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton(TimeProvider.System);
        services.Configure<AdminAccountOptions>(options =>
        {
            options.Email = configuration["TICKETFLOW_ADMIN_EMAIL"] ?? configuration["Admin:Email"];
            options.Password = configuration["TICKETFLOW_ADMIN_PASSWORD"] ?? configuration["Admin:Password"];
        });
        services.AddHostedService<AccountsBootstrap>();

        services.AddAuthentication(CookieOrBearer)
            .AddPolicyScheme(CookieOrBearer, "Cookie for the web UI, bearer token for API clients", options =>
                options.ForwardDefaultSelector = http =>
                    http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? BearerTokenDefaults.AuthenticationScheme
                        : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "tf_session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                // An API answers 401/403; it does not redirect to a login page.
                options.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                options.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddBearerToken(options => options.BearerTokenExpiration = BearerTokenLifetime);
        services.AddAuthorization();
        return services;
    }
}
