using Npgsql;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Membership;

/// <summary>Membership in PostgreSQL. Heartbeat ages use the database clock, so silo clocks need not agree.</summary>
/// <param name="agentDataSource">For the membership agent's blocking calls (see <see cref="CreateAgentDataSource"/>);
/// without one they share <paramref name="dataSource"/> and its pool.</param>
public sealed class PostgresMembershipTable(NpgsqlDataSource dataSource, string clusterId, NpgsqlDataSource? agentDataSource = null) : IMembershipTable
{
    private readonly NpgsqlDataSource agentDataSource = agentDataSource ?? dataSource;

    /// <summary>
    /// A small pool of the membership agent's own, so its heartbeats never wait behind grain storage (or behind calls
    /// whose continuations wait for a saturated thread pool) for a connection, with short timeouts, so a stalled
    /// database fails a heartbeat in seconds instead of holding the agent.
    /// </summary>
    public static NpgsqlDataSource CreateAgentDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = 2;
        builder.ConnectionStringBuilder.Timeout = 3;
        builder.ConnectionStringBuilder.CommandTimeout = 3;
        builder.ConnectionStringBuilder.Multiplexing = false; // the agent's calls block
        builder.ConnectionStringBuilder.ApplicationName = "ticketflow-membership";
        return builder.Build();
    }

    private const string Rank = "array_position(ARRAY['Joining','Active','ShuttingDown','Dead'], {0})";

    private const string BumpVersion = """
        INSERT INTO tf_membership_version (cluster_id, version) VALUES ($1, 1)
        ON CONFLICT (cluster_id) DO UPDATE SET version = tf_membership_version.version + 1
        """;

    private const string ReadVersion = "SELECT version FROM tf_membership_version WHERE cluster_id = $1";

    private const string ReadEntries = """
        SELECT endpoint, generation, status, (extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000)::bigint
        FROM tf_membership
        WHERE cluster_id = $1 AND (status <> 'Dead' OR heartbeat_at > clock_timestamp() - interval '1 hour')
        ORDER BY endpoint, generation
        """;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SchemaMigrator.ApplyAsync(connection, PostgresSchema.Component, PostgresSchema.Migrations, PostgresSchema.LockSql, cancellationToken);
    }

    public async Task<SiloAddress> RegisterAsync(string endpoint, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_xact_lock(hashtext($1 || '|' || $2))", cancellationToken, clusterId, endpoint);
        var generation = (long)(await Scalar(connection, """
            INSERT INTO tf_membership (cluster_id, endpoint, generation, status)
            SELECT $1, $2, GREATEST((extract(epoch FROM clock_timestamp()) * 1000000)::bigint, COALESCE(MAX(generation), 0) + 1), 'Joining'
            FROM tf_membership WHERE cluster_id = $1 AND endpoint = $2
            RETURNING generation
            """, cancellationToken, clusterId, endpoint))!;
        await Execute(connection, "UPDATE tf_membership SET status = 'Dead' WHERE cluster_id = $1 AND endpoint = $2 AND generation < $3 AND status <> 'Dead'",
            cancellationToken, clusterId, endpoint, generation);
        await Execute(connection, BumpVersion, cancellationToken, clusterId);
        await transaction.CommitAsync(cancellationToken);
        return new SiloAddress(endpoint, generation);
    }

    public Task<bool> SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken) =>
        ChangeAndBump($"""
            UPDATE tf_membership SET status = $4
            WHERE cluster_id = $1 AND endpoint = $2 AND generation = $3 AND {string.Format(Rank, "status")} < {string.Format(Rank, "$4")}
            """, cancellationToken, clusterId, silo.Endpoint, silo.Generation, status.ToString());

    public bool Heartbeat(SiloAddress silo)
    {
        using var connection = agentDataSource.OpenConnection();
        using var command = Command(connection, """
            UPDATE tf_membership SET heartbeat_at = clock_timestamp()
            WHERE cluster_id = $1 AND endpoint = $2 AND generation = $3 AND status <> 'Dead'
            """, [clusterId, silo.Endpoint, silo.Generation]);
        return command.ExecuteNonQuery() > 0;
    }

    public bool DeclareDead(SiloAddress silo, TimeSpan timeout, SiloAddress judge)
    {
        using var connection = agentDataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var declare = Command(connection, """
            UPDATE tf_membership SET status = 'Dead'
            WHERE cluster_id = $1 AND endpoint = $2 AND generation = $3 AND status <> 'Dead'
              AND heartbeat_at < clock_timestamp() - make_interval(secs => $4)
              AND EXISTS (SELECT 1 FROM tf_membership judge
                          WHERE judge.cluster_id = $1 AND judge.endpoint = $5 AND judge.generation = $6 AND judge.status <> 'Dead'
                            AND judge.heartbeat_at > clock_timestamp() - make_interval(secs => $4 / 2))
            """, [clusterId, silo.Endpoint, silo.Generation, timeout.TotalSeconds, judge.Endpoint, judge.Generation]);
        if (declare.ExecuteNonQuery() == 0) return false;
        using var bump = Command(connection, BumpVersion, [clusterId]);
        bump.ExecuteNonQuery();
        transaction.Commit();
        return true;
    }

    public async Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var version = await Scalar(connection, ReadVersion, cancellationToken, clusterId) as long? ?? 0;
        await using var command = Command(connection, ReadEntries, [clusterId]);
        var entries = new List<MembershipEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) entries.Add(Entry(reader));
        return new MembershipSnapshot(version, entries);
    }

    public MembershipSnapshot Read()
    {
        using var connection = agentDataSource.OpenConnection();
        using var versionCommand = Command(connection, ReadVersion, [clusterId]);
        var version = versionCommand.ExecuteScalar() as long? ?? 0;
        using var command = Command(connection, ReadEntries, [clusterId]);
        var entries = new List<MembershipEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) entries.Add(Entry(reader));
        return new MembershipSnapshot(version, entries);
    }

    private static MembershipEntry Entry(NpgsqlDataReader reader) => new(
        new SiloAddress(reader.GetString(0), reader.GetInt64(1)),
        Enum.Parse<SiloStatus>(reader.GetString(2)),
        TimeSpan.FromMilliseconds(Math.Max(0, reader.GetInt64(3))));

    private async Task<bool> ChangeAndBump(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await Execute(connection, sql, cancellationToken, values) == 0) return false;
        await Execute(connection, BumpVersion, cancellationToken, clusterId);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<int> Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
