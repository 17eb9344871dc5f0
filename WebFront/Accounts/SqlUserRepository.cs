using TicketFlow.Data;

namespace TicketFlow.WebFront.Accounts;

/// <summary>Users in PostgreSQL (cluster mode) or SQLite (embedded mode): the same SQL on both.</summary>
public sealed class SqlUserRepository(SqlStoreDatabase database) : IUserRepository
{
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(UserSchema.Component, UserSchema.Migrations, cancellationToken);

    public async Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The unique normalized email decides between racing registrations.
        return await DbCommands.ExecuteAsync(connection, null, $"""
            INSERT INTO tf_users ({UserSchema.Columns}, email_normalized) VALUES (@id, @email, @name, @hash, @roles, @created, @normalized)
            ON CONFLICT (email_normalized) DO NOTHING
            """, cancellationToken, ("@id", user.Id), ("@email", user.Email), ("@name", user.Name), ("@hash", user.PasswordHash),
            ("@roles", string.Join(',', user.Roles)), ("@created", user.CreatedAt.ToUnixTimeMilliseconds()), ("@normalized", UserAccount.Normalize(user.Email))) == 1;
    }

    public Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        FindAsync("email_normalized", UserAccount.Normalize(email), cancellationToken);

    public Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken) => FindAsync("id", id, cancellationToken);

    private async Task<UserAccount?> FindAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, $"SELECT {UserSchema.Columns} FROM tf_users WHERE {column} = @value", ("@value", value));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserSchema.Read(reader) : null;
    }
}
