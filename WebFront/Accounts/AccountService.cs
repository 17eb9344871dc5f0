using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace TicketFlow.WebFront.Accounts;

/// <summary>What registering or signing in came to: the user, or field errors, or one problem code (with how long to
/// wait when failed sign-ins slowed this one).</summary>
public sealed record AccountOutcome(UserAccount? User, Dictionary<string, string[]> Errors, string? ProblemCode, TimeSpan RetryAfter = default)
{
    public static AccountOutcome Invalid(Dictionary<string, string[]> errors) => new(null, errors, ProblemCodes.Validation);

    public static AccountOutcome Refused(string problemCode) => new(null, [], problemCode);

    public static AccountOutcome Slowed(TimeSpan wait) => new(null, [], ProblemCodes.TooManyAttempts, wait);

    public static AccountOutcome Limited(TimeSpan wait) => new(null, [], ProblemCodes.RateLimited, wait);

    /// <summary>The wait in whole seconds, rounded up, for a <c>Retry-After</c> header.</summary>
    public string RetryAfterSeconds => Math.Ceiling(RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Register and check a password, for the API (<c>/api/v1/auth/*</c>) and the sign-up and sign-in pages alike.</summary>
public sealed class AccountService(IUserRepository users, IPasswordHasher<UserAccount> hasher, LoginThrottle throttle, RegistrationLimiter registrations,
    TimeProvider time)
{
    /// <summary>Creates the account; attempts from <paramref name="client"/> and for the email are limited (<see cref="RegistrationLimiter"/>).</summary>
    public async Task<AccountOutcome> RegisterAsync(RegisterRequest request, IPAddress? client, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Register(request);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        if (registrations.Refusal(client, request.Email!) is { } wait) return AccountOutcome.Limited(wait);
        var user = new UserAccount($"usr_{Guid.NewGuid():N}", request.Email!.Trim(), request.Name!.Trim(), "", [Roles.User], time.GetUtcNow());
        user = user with { PasswordHash = hasher.HashPassword(user, request.Password!) };
        return await users.TryCreateAsync(user, cancellationToken) ? new AccountOutcome(user, [], null) : AccountOutcome.Refused(ProblemCodes.EmailTaken);
    }

    /// <summary>Checks the password of a sign-in from <paramref name="client"/>; after repeated failures (on this account,
    /// or from this address) the attempt is not checked but answered with how long to wait (<see cref="LoginThrottle"/>).</summary>
    public async Task<AccountOutcome> VerifyAsync(LoginRequest request, IPAddress? client, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Login(request);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        var email = request.Email!.Trim();
        if (throttle.Wait(email, client) is var wait && wait > TimeSpan.Zero) return AccountOutcome.Slowed(wait);
        var user = await users.FindByEmailAsync(email, cancellationToken);
        // Verify against a dummy hash when the email is unknown, so timing does not tell which emails exist.
        var verdict = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, request.Password!);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            throttle.Failed(email, client);
            return AccountOutcome.Refused(ProblemCodes.InvalidCredentials);
        }
        throttle.Succeeded(email, client);
        return new AccountOutcome(user, [], null);
    }

    public static ClaimsPrincipal Principal(UserAccount user) => AccountClaims.Principal(user.Id, user.Roles, user.Name, user.Email, "password");

    private static readonly UserAccount DummyUser = new("usr_dummy", "dummy@invalid", "dummy", "", [], DateTimeOffset.UnixEpoch);
    private static readonly string DummyHash = new PasswordHasher<UserAccount>().HashPassword(DummyUser, Guid.NewGuid().ToString());
}
