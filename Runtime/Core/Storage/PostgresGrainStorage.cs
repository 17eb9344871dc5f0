using Npgsql;

namespace TicketFlow.Runtime.Storage;

/// <summary>Grain state in PostgreSQL. Conditional writes are single statements, so a stale writer can never win.</summary>
public sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, string serviceId) : IGrainStorage
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SchemaMigrator.ApplyAsync(connection, PostgresSchema.Component, PostgresSchema.Migrations, PostgresSchema.LockSql, cancellationToken);
    }

    public async Task<StoredState?> ReadAsync(string grainType, string key, string stateName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT payload, version FROM tf_grain_state WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4");
        AddKey(command, grainType, key, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1));
    }

    public Task<long> WriteAsync(string grainType, string key, string stateName, byte[] payload, long expectedVersion, CancellationToken cancellationToken) =>
        Put(grainType, key, stateName, payload, expectedVersion, cancellationToken);

    public Task<long> ClearAsync(string grainType, string key, string stateName, long expectedVersion, CancellationToken cancellationToken) =>
        Put(grainType, key, stateName, null, expectedVersion, cancellationToken);

    private async Task<long> Put(string grainType, string key, string stateName, byte[]? payload, long expectedVersion, CancellationToken cancellationToken)
    {
        // Version 0 means "no record": insert, and lose to anyone who inserted first.
        await using var command = dataSource.CreateCommand(expectedVersion == 0
            ? """
              INSERT INTO tf_grain_state (service_id, grain_type, grain_key, state_name, payload, version)
              VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT DO NOTHING RETURNING version
              """
            : """
              UPDATE tf_grain_state SET payload = $5, version = version + 1, updated_at = now()
              WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND version = $6
              RETURNING version
              """);
        AddKey(command, grainType, key, stateName);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)payload ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        if (expectedVersion != 0) command.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        var version = await command.ExecuteScalarAsync(cancellationToken);
        return version is long newVersion
            ? newVersion
            : throw new InconsistentStateException($"{grainType}/{key} state '{stateName}' is no longer at version {expectedVersion}: a newer activation wrote it.");
    }

    private void AddKey(NpgsqlCommand command, string grainType, string key, string stateName)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = grainType });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
    }
}
