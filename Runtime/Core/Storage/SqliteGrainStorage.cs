using Microsoft.Data.Sqlite;

namespace TicketFlow.Runtime.Storage;

/// <summary>Grain state in an embedded SQLite file, with the same conditional-write contract as PostgreSQL.</summary>
public sealed class SqliteGrainStorage(SqliteDatabase database, string serviceId) : IGrainStorage
{
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(SqliteSchema.Component, SqliteSchema.Migrations, cancellationToken);

    public async Task<StoredState?> ReadAsync(string grainType, string key, string stateName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, version FROM tf_grain_state WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND state_name = $n";
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
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = expectedVersion == 0
            ? """
              INSERT INTO tf_grain_state (service_id, grain_type, grain_key, state_name, payload, version)
              VALUES ($s, $t, $k, $n, $p, 1) ON CONFLICT DO NOTHING RETURNING version
              """
            : """
              UPDATE tf_grain_state SET payload = $p, version = version + 1
              WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND state_name = $n AND version = $v
              RETURNING version
              """;
        AddKey(command, grainType, key, stateName);
        command.Parameters.Add(new SqliteParameter("$p", SqliteType.Blob) { Value = (object?)payload ?? DBNull.Value });
        command.Parameters.AddWithValue("$v", expectedVersion);
        var version = await command.ExecuteScalarAsync(cancellationToken);
        return version is long newVersion
            ? newVersion
            : throw new InconsistentStateException($"{grainType}/{key} state '{stateName}' is no longer at version {expectedVersion}: a newer activation wrote it.");
    }

    private void AddKey(SqliteCommand command, string grainType, string key, string stateName)
    {
        command.Parameters.AddWithValue("$s", serviceId);
        command.Parameters.AddWithValue("$t", grainType);
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$n", stateName);
    }
}
