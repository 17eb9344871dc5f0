namespace TicketFlow.WebFront.Accounts;

public sealed record RegisterRequest(string? Email, string? Password, string? Name);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record UserResponse(string Id, string Email, string Name, IReadOnlyList<string> Roles)
{
    public static UserResponse From(UserAccount user) => new(user.Id, user.Email, user.Name, user.Roles);
}

/// <summary>Who the session cookie says is signed in (null: nobody) and the antiforgery token for the pages' changes.</summary>
public sealed record SessionResponse(SessionUser? User, string AntiforgeryToken);

public sealed record SessionUser(string Id, string? Name, string? Email, IReadOnlyList<string> Roles);

public sealed record RefreshRequest(string? RefreshToken);

/// <summary>Optional: the refresh token of the bearer session to end (the access token's own session ends without it).</summary>
public sealed record LogoutRequest(string? RefreshToken);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record RolesRequest(IReadOnlyList<string>? Roles);
