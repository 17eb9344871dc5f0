using TicketFlow.Runtime.Storage;

namespace TicketFlow.WebFront.Accounts;

public sealed class SqliteUserRepository(SqliteDatabase database) : IUserRepository
{
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(UserSchema.Component, UserSchema.Migrations, cancellationToken);

    public async Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO tf_users ({UserSchema.Columns}, email_normalized) VALUES ($id, $email, $name, $hash, $roles, $created, $normalized)
            ON CONFLICT (email_normalized) DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", user.Id);
        command.Parameters.AddWithValue("$email", user.Email);
        command.Parameters.AddWithValue("$name", user.Name);
        command.Parameters.AddWithValue("$hash", user.PasswordHash);
        command.Parameters.AddWithValue("$roles", string.Join(',', user.Roles));
        command.Parameters.AddWithValue("$created", user.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$normalized", UserAccount.Normalize(user.Email));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        FindAsync("email_normalized", UserAccount.Normalize(email), cancellationToken);

    public Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken) => FindAsync("id", id, cancellationToken);

    private async Task<UserAccount?> FindAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {UserSchema.Columns} FROM tf_users WHERE {column} = $value";
        command.Parameters.AddWithValue("$value", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserSchema.Read(reader) : null;
    }
}
