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
