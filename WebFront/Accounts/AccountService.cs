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

/// <summary>Register, check and change a password, end a user's sessions, set roles: for the API (<c>/api/v1/auth/*</c>,
/// <c>/api/v1/me/*</c>, <c>/api/v1/admin/users/*</c>) and the account pages alike.</summary>
public sealed class AccountService(IUserRepository users, IPasswordHasher<UserAccount> hasher, LoginThrottle throttle, RegistrationLimiter registrations,
    RefreshTokenStore refreshTokens,
    SessionValidator sessions, TimeProvider time, ILogger<AccountService> logger)
{
    /// <summary>Creates the account; attempts from <paramref name="client"/> and for the email are limited (<see cref="RegistrationLimiter"/>).</summary>
    public async Task<AccountOutcome> RegisterAsync(RegisterRequest request, IPAddress? client, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Register(request);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        if (registrations.Refusal(client, request.Email!) is { } wait) return AccountOutcome.Limited(wait);
        var user = new UserAccount($"usr_{Guid.NewGuid():N}", request.Email!.Trim(), request.Name!.Trim(), "", [Roles.User], time.GetUtcNow(), UserAccount.NewSecurityStamp());
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

    /// <summary>Checks the current password (slowed by the same throttle as sign-in), then sets the new one and a new stamp:
    /// every session of the user ends; the caller re-issues its own cookie from the returned user.</summary>
    public async Task<AccountOutcome> ChangePasswordAsync(string userId, ChangePasswordRequest request, IPAddress? client, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(userId, cancellationToken) is not { } user) return AccountOutcome.Refused(ProblemCodes.UnknownUser);
        var errors = AccountValidation.ChangePassword(request, user);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        if (throttle.Wait(user.Email, client) is var wait && wait > TimeSpan.Zero) return AccountOutcome.Slowed(wait);
        if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword!) == PasswordVerificationResult.Failed)
        {
            throttle.Failed(user.Email, client);
            return AccountOutcome.Invalid(new() { ["currentPassword"] = ["This is not your current password."] });
        }
        throttle.Succeeded(user.Email, client);
        var changed = user with { PasswordHash = hasher.HashPassword(user, request.NewPassword!), SecurityStamp = UserAccount.NewSecurityStamp() };
        return await EndSessionsAsync(changed, changed.PasswordHash, roles: null, cancellationToken);
    }

    /// <summary>Sign out everywhere: a new stamp ends every cookie and access token, and every refresh family is revoked.</summary>
    public async Task<AccountOutcome> SignOutEverywhereAsync(string userId, CancellationToken cancellationToken) =>
        await users.FindByIdAsync(userId, cancellationToken) is { } user
            ? await EndSessionsAsync(user with { SecurityStamp = UserAccount.NewSecurityStamp() }, passwordHash: null, roles: null, cancellationToken)
            : AccountOutcome.Refused(ProblemCodes.UnknownUser);

    /// <summary>An admin sets a user's roles; the user's sessions end (they sign in again with the new roles). Removing the
    /// last admin's admin role is refused, so the site always has one.</summary>
    public async Task<AccountOutcome> SetRolesAsync(string adminId, string userId, RolesRequest request, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.SetRoles(request, out var roles);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        if (await users.FindByIdAsync(userId, cancellationToken) is not { } user) return AccountOutcome.Refused(ProblemCodes.NotFound);
        if (user.Roles.Contains(Roles.Admin) && !roles.Contains(Roles.Admin) && await users.CountWithRoleAsync(Roles.Admin, cancellationToken) <= 1)
            return AccountOutcome.Refused(ProblemCodes.LastAdmin);
        var outcome = await EndSessionsAsync(user with { Roles = roles, SecurityStamp = UserAccount.NewSecurityStamp() }, passwordHash: null, roles, cancellationToken);
        if (outcome.User is not null)
            logger.LogWarning("Audit: admin {AdminId} set the roles of user {UserId} from [{OldRoles}] to [{NewRoles}]; the user's sessions ended",
                adminId, userId, string.Join(',', user.Roles), string.Join(',', roles));
        return outcome;
    }

    private async Task<AccountOutcome> EndSessionsAsync(UserAccount changed, string? passwordHash, IReadOnlyList<string>? roles, CancellationToken cancellationToken)
    {
        if (!await users.ChangeAsync(changed.Id, changed.SecurityStamp, passwordHash, roles, cancellationToken)) return AccountOutcome.Refused(ProblemCodes.UnknownUser);
        await refreshTokens.RevokeUserAsync(changed.Id, cancellationToken);
        sessions.Forget(changed.Id);
        return new AccountOutcome(changed, [], null);
    }

    public static ClaimsPrincipal Principal(UserAccount user, string? refreshFamily = null) =>
        AccountClaims.Principal(user.Id, user.Roles, user.Name, user.Email, user.SecurityStamp, "password", refreshFamily);

    private static readonly UserAccount DummyUser = new("usr_dummy", "dummy@invalid", "dummy", "", [], DateTimeOffset.UnixEpoch, "");
    private static readonly string DummyHash = new PasswordHasher<UserAccount>().HashPassword(DummyUser, Guid.NewGuid().ToString());
}
