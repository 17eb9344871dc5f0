using Npgsql;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.WebFront.Accounts;

public sealed class PostgresUserRepository(NpgsqlDataSource dataSource) : IUserRepository
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SchemaMigrator.ApplyAsync(connection, UserSchema.Component, UserSchema.Migrations, SchemaMigrator.PostgresLock, cancellationToken);
    }

    public async Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO tf_users ({UserSchema.Columns}, email_normalized) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (email_normalized) DO NOTHING
            """);
        foreach (var value in new object[] { user.Id, user.Email, user.Name, user.PasswordHash, string.Join(',', user.Roles), user.CreatedAt.ToUnixTimeMilliseconds(), UserAccount.Normalize(user.Email) })
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        FindAsync("email_normalized", UserAccount.Normalize(email), cancellationToken);

    public Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken) => FindAsync("id", id, cancellationToken);

    private async Task<UserAccount?> FindAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {UserSchema.Columns} FROM tf_users WHERE {column} = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserSchema.Read(reader) : null;
    }
}
