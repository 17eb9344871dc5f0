using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Accounts;

/// <summary>The first admin: from configuration (TICKETFLOW_ADMIN_EMAIL / TICKETFLOW_ADMIN_PASSWORD), never a built-in credential.</summary>
public sealed class AdminAccountOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
}

/// <summary>Creates the users table if needed and the configured admin if it does not exist yet.</summary>
public sealed class AccountsBootstrap(IUserRepository users, IPasswordHasher<UserAccount> hasher, IOptions<AdminAccountOptions> admin,
    TimeProvider time, ILogger<AccountsBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await users.InitializeAsync(cancellationToken);
        var (email, password) = (admin.Value.Email, admin.Value.Password);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            logger.LogInformation("No admin configured (set TICKETFLOW_ADMIN_EMAIL and TICKETFLOW_ADMIN_PASSWORD to create one)");
            return;
        }
        // The operator's secret is held to the length and character rules only: a strength judgement that changed with a
        // package update must not stop a deployment from starting. A guessable one is logged for the operator to change.
        var errors = AccountValidation.Register(new RegisterRequest(email, password, "Administrator"), judgeStrength: false);
        if (errors.Count > 0)
            throw new InvalidOperationException($"The configured admin account is invalid: {string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}"))}");
        if (PasswordStrength.Weakness(password, email, "Administrator") is { } weakness)
            logger.LogWarning("The configured admin password (TICKETFLOW_ADMIN_PASSWORD) is guessable: {Weakness}", weakness);
        if (await users.FindByEmailAsync(email, cancellationToken) is not null) return;
        var user = new UserAccount($"usr_{Guid.NewGuid():N}", email.Trim(), "Administrator", "", [Roles.User, Roles.Admin], time.GetUtcNow(), UserAccount.NewSecurityStamp());
        if (await users.TryCreateAsync(user with { PasswordHash = hasher.HashPassword(user, password) }, cancellationToken))
            logger.LogInformation("Created admin account {Email}", user.Email);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
