using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace TicketFlow.WebFront.Accounts;

/// <summary><c>/api/v1/auth/*</c> and <c>/api/v1/me</c>: register, sign in (cookie and bearer token), sign out, who am I.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts").AllowAnonymous();
        auth.MapPost("/register", RegisterAsync).RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/login", LoginAsync).RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/logout", (Func<HttpContext, Task<IResult>>)LogoutAsync);
        auth.MapGet("/session", Session);
        app.MapGet("/api/v1/me", MeAsync).RequireAuthorization().WithTags("Accounts");
        return app;
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, HttpContext http, AccountService accounts, CancellationToken cancellationToken)
    {
        var outcome = await accounts.RegisterAsync(request, http.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.User is { } user) return Results.Created("/api/v1/me", UserResponse.From(user));
        if (outcome.RetryAfter > TimeSpan.Zero) http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
        return Refusal(outcome);
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, HttpContext http, AccountService accounts, CancellationToken cancellationToken)
    {
        var outcome = await accounts.VerifyAsync(request, http.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.User is not { } user)
        {
            if (outcome.RetryAfter > TimeSpan.Zero) http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
            return Refusal(outcome);
        }
        var principal = AccountService.Principal(user);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        // Writes {tokenType, accessToken, expiresIn, refreshToken} as the response body.
        await http.SignInAsync(BearerTokenDefaults.AuthenticationScheme, principal);
        return Results.Empty;
    }

    private static IResult Refusal(AccountOutcome outcome) =>
        outcome.Errors.Count > 0 ? Problems.Validation(outcome.Errors)
        : outcome.ProblemCode == ProblemCodes.TooManyAttempts ? Problems.Of(outcome.ProblemCode, TooManyAttempts(outcome))
        : outcome.ProblemCode == ProblemCodes.RateLimited ? Problems.Of(outcome.ProblemCode, TooManyRegistrations(outcome))
        : Problems.Of(outcome.ProblemCode!);

    /// <summary>The wording of a slowed sign-in, for the API and the sign-in page.</summary>
    public static string TooManyAttempts(AccountOutcome outcome) =>
        $"Too many failed sign-ins for this account or from this address: try again in {outcome.RetryAfterSeconds} s.";

    /// <summary>The wording of a refused registration attempt, for the API and the sign-up page.</summary>
    public static string TooManyRegistrations(AccountOutcome outcome) =>
        $"Too many sign-ups from this address or for this email: try again in {outcome.RetryAfterSeconds} s.";

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    /// <summary>Who is signed in (from the cookie, no database read) and the antiforgery token the pages send with every change.
    /// The pages are cached and the same for everyone: this small uncached call fills in the account part of the header.</summary>
    private static IResult Session(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        http.Response.Headers.CacheControl = "no-store";
        var user = http.User.Identity?.IsAuthenticated == true
            ? new SessionUser(http.User.FindFirstValue(ClaimTypes.NameIdentifier)!, http.User.FindFirstValue(ClaimTypes.Name),
                http.User.FindFirstValue(ClaimTypes.Email), [.. http.User.FindAll(ClaimTypes.Role).Select(role => role.Value)])
            : null;
        return Results.Ok(new SessionResponse(user, tokens.RequestToken!));
    }

    private static async Task<IResult> MeAsync(ClaimsPrincipal principal, IUserRepository users, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", cancellationToken);
        return user is null ? Problems.Of(ProblemCodes.UnknownUser, "This account no longer exists.") : Results.Ok(UserResponse.From(user));
    }
}
