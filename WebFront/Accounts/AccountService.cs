using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace TicketFlow.WebFront.Accounts;

/// <summary>What registering or signing in came to: the user, or field errors, or one problem code.</summary>
public sealed record AccountOutcome(UserAccount? User, Dictionary<string, string[]> Errors, string? ProblemCode)
{
    public static AccountOutcome Invalid(Dictionary<string, string[]> errors) => new(null, errors, ProblemCodes.Validation);

    public static AccountOutcome Refused(string problemCode) => new(null, [], problemCode);
}

/// <summary>Register and check a password, for the API (<c>/api/v1/auth/*</c>) and the sign-up and sign-in pages alike.</summary>
public sealed class AccountService(IUserRepository users, IPasswordHasher<UserAccount> hasher, TimeProvider time)
{
    public async Task<AccountOutcome> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Register(request);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        var user = new UserAccount($"usr_{Guid.NewGuid():N}", request.Email!.Trim(), request.Name!.Trim(), "", [Roles.User], time.GetUtcNow());
        user = user with { PasswordHash = hasher.HashPassword(user, request.Password!) };
        return await users.TryCreateAsync(user, cancellationToken) ? new AccountOutcome(user, [], null) : AccountOutcome.Refused(ProblemCodes.EmailTaken);
    }

    public async Task<AccountOutcome> VerifyAsync(LoginRequest request, CancellationToken cancellationToken)
    {
        var errors = AccountValidation.Login(request);
        if (errors.Count > 0) return AccountOutcome.Invalid(errors);
        var user = await users.FindByEmailAsync(request.Email!.Trim(), cancellationToken);
        // Verify against a dummy hash when the email is unknown, so timing does not tell which emails exist.
        var verdict = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, request.Password!);
        return user is null || verdict == PasswordVerificationResult.Failed
            ? AccountOutcome.Refused(ProblemCodes.InvalidCredentials)
            : new AccountOutcome(user, [], null);
    }

    public static ClaimsPrincipal Principal(UserAccount user) => AccountClaims.Principal(user.Id, user.Roles, user.Name, user.Email, "password");

    private static readonly UserAccount DummyUser = new("usr_dummy", "dummy@invalid", "dummy", "", [], DateTimeOffset.UnixEpoch);
    private static readonly string DummyHash = new PasswordHasher<UserAccount>().HashPassword(DummyUser, Guid.NewGuid().ToString());
}
