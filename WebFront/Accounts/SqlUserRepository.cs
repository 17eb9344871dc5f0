using System.Text;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Accounts;

/// <summary>Users in PostgreSQL (cluster mode) or SQLite (embedded mode): the same SQL on both.</summary>
public sealed class SqlUserRepository(SqlStoreDatabase database) : IUserRepository
{
    // 8 parameters a row: 8,000 a statement, well under PostgreSQL's 65,535 and SQLite's 32,766.
    private const int SeedBatch = 1000;

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(UserSchema.Component, UserSchema.Migrations, cancellationToken);

    public async Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The unique normalized email decides between racing registrations.
        return await DbCommands.ExecuteAsync(connection, null, $"""
            INSERT INTO tf_users ({UserSchema.Columns}, email_normalized) VALUES (@id0, @email0, @name0, @hash0, @roles0, @created0, @stamp0, @normalized0)
            ON CONFLICT (email_normalized) DO NOTHING
            """, cancellationToken, Row(user, 0)) == 1;
    }

    public Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        FindAsync("email_normalized", UserAccount.Normalize(email), cancellationToken);

    public Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken) => FindAsync("id", id, cancellationToken);

    public async Task<IReadOnlyList<UserAccount>> FindManyByIdAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return [];
        await using var connection = await database.OpenAsync(cancellationToken);
        // PostgreSQL: one array parameter, so every batch size is the same statement; SQLite has no arrays.
        await using var command = database.IsPostgreSql
            ? DbCommands.Create(connection, null, $"SELECT {UserSchema.Columns} FROM tf_users WHERE id = ANY(@ids)", ("@ids", ids.ToArray()))
            : DbCommands.Create(connection, null, $"SELECT {UserSchema.Columns} FROM tf_users WHERE id IN ({string.Join(", ", ids.Select((_, i) => $"@id{i}"))})",
                [.. ids.Select((id, i) => ($"@id{i}", (object?)id))]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<UserAccount>(ids.Count);
        while (await reader.ReadAsync(cancellationToken)) found.Add(UserSchema.Read(reader));
        return found;
    }

    public async Task<bool> ChangeAsync(string id, string securityStamp, string? passwordHash, IReadOnlyList<string>? roles, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await DbCommands.ExecuteAsync(connection, null, """
            UPDATE tf_users SET security_stamp = @stamp, password_hash = COALESCE(@hash, password_hash), roles = COALESCE(@roles, roles)
            WHERE id = @id
            """, cancellationToken, ("@id", id), ("@stamp", securityStamp), ("@hash", passwordHash),
            ("@roles", roles is null ? null : UserSchema.RolesText(roles))) == 1;
    }

    public async Task<int> CountWithRoleAsync(string role, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, "SELECT count(*) FROM tf_users WHERE ',' || roles || ',' LIKE @pattern",
            ("@pattern", $"%,{role},%"));
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<UserAccount>> SeedAsync(IReadOnlyList<UserAccount> users, CancellationToken cancellationToken)
    {
        var stored = new List<UserAccount>(users.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var batch in users.Chunk(SeedBatch))
        {
            var values = new StringBuilder();
            for (var i = 0; i < batch.Length; i++)
                values.Append(i == 0 ? "" : ", ").Append($"(@id{i}, @email{i}, @name{i}, @hash{i}, @roles{i}, @created{i}, @stamp{i}, @normalized{i})");
            // The no-op update makes RETURNING give the stored row of an existing user too: one round trip a batch.
            await using var command = DbCommands.Create(connection, null, $"""
                INSERT INTO tf_users ({UserSchema.Columns}, email_normalized) VALUES {values}
                ON CONFLICT (id) DO UPDATE SET id = excluded.id
                RETURNING {UserSchema.Columns}
                """, [.. batch.SelectMany(Row)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) stored.Add(UserSchema.Read(reader));
        }
        return stored;
    }

    private static (string Name, object? Value)[] Row(UserAccount user, int i) =>
    [
        ($"@id{i}", user.Id), ($"@email{i}", user.Email), ($"@name{i}", user.Name), ($"@hash{i}", user.PasswordHash),
        ($"@roles{i}", UserSchema.RolesText(user.Roles)), ($"@created{i}", user.CreatedAt.ToUnixTimeMilliseconds()),
        ($"@stamp{i}", user.SecurityStamp), ($"@normalized{i}", UserAccount.Normalize(user.Email)),
    ];

    private async Task<UserAccount?> FindAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, $"SELECT {UserSchema.Columns} FROM tf_users WHERE {column} = @value", ("@value", value));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserSchema.Read(reader) : null;
    }
}
