using System.Net.Mail;
using TicketFlow.Domain.Security;

namespace TicketFlow.WebFront.Accounts;

/// <summary>Field rules for account input; every broken rule becomes one entry of a 400's <c>errors</c>.</summary>
public static class AccountValidation
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 100;

    /// <summary>A new account's fields. <paramref name="judgeStrength"/>: also refuse a guessable password (zxcvbn, see
    /// <see cref="PasswordStrength"/>); the configured admin's password is only held to the length and character rules.</summary>
    public static Dictionary<string, string[]> Register(RegisterRequest request, bool judgeStrength = true)
    {
        var errors = new Dictionary<string, string[]>();
        CheckEmail(request.Email, errors);
        if (NewPassword(request.Password, request.Email?.Trim(), request.Name?.Trim(), judgeStrength) is { } problem) errors["password"] = [problem];
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength) errors["name"] = [$"Give a name of 1 to {MaxNameLength} characters."];
        else if (NameCharacters.HasControlOrFormat(name)) errors["name"] = [NameCharacters.Refusal];
        return errors;
    }

    /// <summary>What is wrong with a new password (null: nothing): length, a letter and a digit, and (when judged) strength.</summary>
    public static string? NewPassword(string? password, string? email, string? name, bool judgeStrength = true)
    {
        password ??= "";
        if (password.Length < MinPasswordLength || password.Length > MaxPasswordLength) return $"Use {MinPasswordLength} to {MaxPasswordLength} characters.";
        if (!password.Any(char.IsLetter) || !password.Any(char.IsDigit)) return "Use at least one letter and one digit.";
        return judgeStrength ? PasswordStrength.Weakness(password, email, name) : null;
    }

    public static Dictionary<string, string[]> ChangePassword(ChangePasswordRequest request, UserAccount user)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.CurrentPassword) || request.CurrentPassword.Length > MaxPasswordLength) errors["currentPassword"] = ["Give your current password."];
        if (NewPassword(request.NewPassword, user.Email, user.Name) is { } problem) errors["newPassword"] = [problem];
        return errors;
    }

    /// <summary>Known role names only, at least one; the result is in <see cref="Roles.All"/>'s order, each once.</summary>
    public static Dictionary<string, string[]> SetRoles(RolesRequest request, out IReadOnlyList<string> roles)
    {
        roles = [.. Roles.All.Where(role => request.Roles?.Contains(role) == true)];
        if (request.Roles is not { Count: > 0 } given || given.Any(role => !Roles.All.Contains(role)))
            return new() { ["roles"] = [$"Give one or more of: {string.Join(", ", Roles.All)}."] };
        return [];
    }

    public static Dictionary<string, string[]> Login(LoginRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > MaxEmailLength) errors["email"] = ["Give your email."];
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > MaxPasswordLength) errors["password"] = ["Give your password."];
        return errors;
    }

    /// <summary>An address an account could have (registration's rule; also for the email a ticket is offered to).</summary>
    public static bool IsEmail(string? email)
    {
        var trimmed = email?.Trim() ?? "";
        return trimmed.Length is > 0 and <= MaxEmailLength
            && MailAddress.TryCreate(trimmed, out var address)
            && address.Address == trimmed
            && address.Host.Contains('.');
    }

    private static void CheckEmail(string? email, Dictionary<string, string[]> errors)
    {
        if (!IsEmail(email)) errors["email"] = ["Give a valid email address."];
    }
}
