namespace TicketFlow.WebFront.Accounts;

/// <summary>Where users live: PostgreSQL in cluster mode, SQLite in embedded mode.</summary>
public interface IUserRepository
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>False when another user already has this email (compared case-insensitively); nothing is written then.</summary>
    Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken);

    Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken);

    Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken);
}
