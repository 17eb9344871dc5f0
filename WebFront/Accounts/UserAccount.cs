namespace TicketFlow.WebFront.Accounts;

/// <summary>A registered user. The password is only ever held as an ASP.NET Core <c>PasswordHasher</c> hash.</summary>
public sealed record UserAccount(string Id, string Email, string Name, string PasswordHash, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt)
{
    /// <summary>Emails are unique case-insensitively: stored as typed, compared in this form.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
}
