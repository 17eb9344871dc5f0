namespace TicketFlow.WebFront.Accounts;

/// <summary>Where users live: PostgreSQL in cluster mode, SQLite in embedded mode.</summary>
public interface IUserRepository
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>False when another user already has this email (compared case-insensitively); nothing is written then.</summary>
    Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken);

    Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken);

    Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>The users with these ids, in one query; an unknown id is left out.</summary>
    Task<IReadOnlyList<UserAccount>> FindManyByIdAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Sets a new security stamp (and, when given, a new password hash or roles); false when no user has this id.</summary>
    Task<bool> ChangeAsync(string id, string securityStamp, string? passwordHash, IReadOnlyList<string>? roles, CancellationToken cancellationToken);

    /// <summary>How many users have <paramref name="role"/>.</summary>
    Task<int> CountWithRoleAsync(string role, CancellationToken cancellationToken);

    /// <summary>Creates the users whose id is not taken yet, in a few multi-row statements, and returns every one as stored
    /// (an existing user keeps its stamp and roles). For operator tools that need many real users fast.</summary>
    Task<IReadOnlyList<UserAccount>> SeedAsync(IReadOnlyList<UserAccount> users, CancellationToken cancellationToken);
}
