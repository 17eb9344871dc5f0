using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace TicketFlow.WebFront.Accounts;

/// <summary><c>/api/v1/auth/*</c> and <c>/api/v1/me</c>: register, sign in (cookie and bearer token), sign out, who am I.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts");
        auth.MapPost("/register", RegisterAsync).RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/login", LoginAsync).RequireRateLimiting(Conventions.RateLimits.Auth);
        auth.MapPost("/logout", (Func<HttpContext, Task<IResult>>)LogoutAsync);
        app.MapGet("/api/v1/me", MeAsync).RequireAuthorization().WithTags("Accounts");
        return app;
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, IUserRepository users, IPasswordHasher<UserAccount> hasher,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Register(request);
        if (errors.Count > 0) return Problems.Validation(errors);
        var user = new UserAccount($"usr_{Guid.NewGuid():N}", request.Email!.Trim(), request.Name!.Trim(), "", [Roles.User], time.GetUtcNow());
        user = user with { PasswordHash = hasher.HashPassword(user, request.Password!) };
        if (!await users.TryCreateAsync(user, cancellationToken))
            return Problems.Of(ProblemCodes.EmailTaken);
        return Results.Created("/api/v1/me", UserResponse.From(user));
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, HttpContext http, IUserRepository users, IPasswordHasher<UserAccount> hasher,
        CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Login(request);
        if (errors.Count > 0) return Problems.Validation(errors);
        var user = await users.FindByEmailAsync(request.Email!, cancellationToken);
        // Verify against a dummy hash when the email is unknown, so timing does not tell which emails exist.
        var verdict = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, request.Password!);
        if (user is null || verdict == PasswordVerificationResult.Failed)
            return Problems.Of(ProblemCodes.InvalidCredentials);

        var principal = Principal(user);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        // Writes {tokenType, accessToken, expiresIn, refreshToken} as the response body.
        await http.SignInAsync(BearerTokenDefaults.AuthenticationScheme, principal);
        return Results.Empty;
    }

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    private static async Task<IResult> MeAsync(ClaimsPrincipal principal, IUserRepository users, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", cancellationToken);
        return user is null ? Problems.Of(ProblemCodes.UnknownUser, "This account no longer exists.") : Results.Ok(UserResponse.From(user));
    }

    private static ClaimsPrincipal Principal(UserAccount user) => AccountClaims.Principal(user.Id, user.Roles, user.Name, user.Email, "password");

    private static readonly UserAccount DummyUser = new("usr_dummy", "dummy@invalid", "dummy", "", [], DateTimeOffset.UnixEpoch);
    private static readonly string DummyHash = new PasswordHasher<UserAccount>().HashPassword(DummyUser, Guid.NewGuid().ToString());
}
