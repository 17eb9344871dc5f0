using System.Security.Cryptography;

namespace TicketFlow.WebFront.Accounts;

/// <summary>A registered user. The password is only ever held as an ASP.NET Core <c>PasswordHasher</c> hash. The security
/// stamp is a random value every cookie and access token carries: changing it (sign out everywhere, a new password, new
/// roles) ends all of them (see docs/ARCHITECTURE.md, "Sessions").</summary>
public sealed record UserAccount(string Id, string Email, string Name, string PasswordHash, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt,
    string SecurityStamp)
{
    /// <summary>Emails are unique case-insensitively: stored as typed, compared in this form.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A fresh random stamp (128 bits, hex).</summary>
    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";

    /// <summary>Every role WebFront knows; an admin may give only these.</summary>
    public static readonly IReadOnlyList<string> All = [User, Admin];
}
