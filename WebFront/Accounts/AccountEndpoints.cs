using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace TicketFlow.WebFront.Accounts;

/// <summary><c>/api/v1/auth/*</c>, <c>/api/v1/me</c> and <c>/api/v1/admin/users/*</c>: register, sign in (cookie and bearer
/// token), refresh, sign out (this session or everywhere), change the password, who am I, set a user's roles.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts");
        auth.MapPost("/register", RegisterAsync).AllowAnonymous().RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous().RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/logout", LogoutAsync).AllowAnonymous();
        auth.MapPost("/logout-all", LogoutEverywhereAsync).RequireAuthorization();
        auth.MapGet("/session", Session).AllowAnonymous();
        // Full paths, not a group with "": that one's route reads "/api/v1/me/" in metrics and the OpenAPI document.
        app.MapGet("/api/v1/me", MeAsync).RequireAuthorization().WithTags("Accounts");
        app.MapPost("/api/v1/me/password", ChangePasswordAsync).RequireAuthorization().RequireRateLimiting(Conventions.RateLimits.Auth).WithTags("Accounts");
        app.MapPut("/api/v1/admin/users/{userId}/roles", SetRolesAsync).RequireAuthorization(Admin.AdminEndpoints.Policy).WithTags("Admin");
        return app;
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, HttpContext http, AccountService accounts, CancellationToken cancellationToken)
    {
        var outcome = await accounts.RegisterAsync(request, http.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.User is { } user) return Results.Created("/api/v1/me", UserResponse.From(user));
        if (outcome.RetryAfter > TimeSpan.Zero) http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
        return Refusal(outcome);
    }

    /// <summary>Signs in with both: the session cookie, and a bearer pair (a new refresh family) as the response body.</summary>
    private static async Task<IResult> LoginAsync(LoginRequest request, HttpContext http, AccountService accounts, SessionTokens tokens, CancellationToken cancellationToken)
    {
        var outcome = await accounts.VerifyAsync(request, http.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.User is not { } user)
        {
            if (outcome.RetryAfter > TimeSpan.Zero) http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
            return Refusal(outcome);
        }
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.Principal(user));
        return Results.Ok(await tokens.IssueAsync(user, RefreshTokenStore.NewFamilyId(), cancellationToken));
    }

    /// <summary>Spends the refresh token and issues a new pair in its family, with the user's current stamp and roles.</summary>
    private static async Task<IResult> RefreshAsync(RefreshRequest request, RefreshTokenStore refreshTokens, IUserRepository users, SessionTokens tokens,
        CancellationToken cancellationToken)
    {
        if (request.RefreshToken is not { Length: > 0 and <= 200 } token) return Problems.Validation(new Dictionary<string, string[]> { ["refreshToken"] = ["Give your refresh token."] });
        var spent = await refreshTokens.SpendAsync(token, cancellationToken);
        if (spent.ProblemCode is { } problem) return Problems.Of(problem);
        if (await users.FindByIdAsync(spent.UserId!, cancellationToken) is not { } user) return Problems.Of(ProblemCodes.InvalidRefreshToken);
        return Results.Ok(await tokens.IssueAsync(user, spent.FamilyId!, cancellationToken));
    }

    private static IResult Refusal(AccountOutcome outcome) =>
        outcome.Errors.Count > 0 ? Problems.Validation(outcome.Errors)
        : outcome.ProblemCode == ProblemCodes.TooManyAttempts ? Problems.Of(outcome.ProblemCode, TooManyAttempts(outcome))
        : outcome.ProblemCode == ProblemCodes.RateLimited ? Problems.Of(outcome.ProblemCode, TooManyRegistrations(outcome))
        : outcome.ProblemCode == ProblemCodes.NotFound ? Problems.Of(outcome.ProblemCode, "No account has this id.")
        : Problems.Of(outcome.ProblemCode!);

    /// <summary>The wording of a slowed sign-in, for the API and the sign-in page.</summary>
    public static string TooManyAttempts(AccountOutcome outcome) =>
        $"Too many failed sign-ins for this account or from this address: try again in {outcome.RetryAfterSeconds} s.";

    /// <summary>The wording of a refused registration attempt, for the API and the sign-up page.</summary>
    public static string TooManyRegistrations(AccountOutcome outcome) =>
        $"Too many sign-ups from this address or for this email: try again in {outcome.RetryAfterSeconds} s.";

    /// <summary>This session only: the cookie is deleted; a bearer session (the access token's, or the refresh token's given)
    /// can no longer refresh, and its access token lapses within its few minutes.</summary>
    private static async Task<IResult> LogoutAsync(HttpContext http, LogoutRequest? request, RefreshTokenStore refreshTokens, CancellationToken cancellationToken)
    {
        if (http.User.FindFirstValue(AccountClaims.RefreshFamily) is { } family) await refreshTokens.RevokeFamilyAsync(family, cancellationToken);
        if (request?.RefreshToken is { Length: > 0 and <= 200 } token && await refreshTokens.FamilyOfAsync(token, cancellationToken) is { } given)
            await refreshTokens.RevokeFamilyAsync(given, cancellationToken);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    private static async Task<IResult> LogoutEverywhereAsync(HttpContext http, AccountService accounts, CancellationToken cancellationToken)
    {
        var outcome = await accounts.SignOutEverywhereAsync(UserId(http.User), cancellationToken);
        if (outcome.User is null) return Refusal(outcome);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    /// <summary>Ends every other session; a cookie caller's own session goes on with a cookie carrying the new stamp (a
    /// bearer caller's token ends too: an API client signs in again with the new password).</summary>
    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest request, HttpContext http, AccountService accounts, CancellationToken cancellationToken)
    {
        var outcome = await accounts.ChangePasswordAsync(UserId(http.User), request, http.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.User is not { } user)
        {
            if (outcome.RetryAfter > TimeSpan.Zero) http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
            return Refusal(outcome);
        }
        if (AccountsServiceCollectionExtensions.BearerToken(http.Request) is null)
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.Principal(user));
        return Results.NoContent();
    }

    private static async Task<IResult> SetRolesAsync(string userId, RolesRequest request, ClaimsPrincipal admin, AccountService accounts, CancellationToken cancellationToken)
    {
        var outcome = await accounts.SetRolesAsync(UserId(admin), userId, request, cancellationToken);
        return outcome.User is { } user ? Results.Ok(UserResponse.From(user)) : Refusal(outcome);
    }

    private static string UserId(ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    /// <summary>Who is signed in (from the cookie, checked against the cached security stamp) and the antiforgery token the pages send with every change.
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
        var user = await users.FindByIdAsync(UserId(principal), cancellationToken);
        return user is null ? Problems.Of(ProblemCodes.UnknownUser, "This account no longer exists.") : Results.Ok(UserResponse.From(user));
    }
}
