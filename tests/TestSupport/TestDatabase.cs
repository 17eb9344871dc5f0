using TicketFlow.Data;
using Npgsql;

namespace TicketFlow.Testing;

/// <summary>
/// The PostgreSQL server tests use: the one named by <c>TICKETFLOW_TEST_PG</c> (a connection string), or else one
/// throwaway server per test process, started on first use and stopped when the process exits.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);
    private static readonly Lazy<Task<NpgsqlDataSource>> Pool = new(async () => PostgresDataSource.Create(await ConnectionStringAsync()));
    private static ThrowawayPostgres? throwaway;

    public static Task<string> ConnectionStringAsync() => Server.Value;

    /// <summary>
    /// The one connection pool of the test process, as a silo process has one, shared by every test and test cluster in it:
    /// never dispose it. (A pool per cluster left each one's idle connections open for Npgsql's five-minute idle lifetime,
    /// and a test run used up the server's connections.)
    /// </summary>
    public static Task<NpgsqlDataSource> DataSourceAsync() => Pool.Value;

    /// <summary>
    /// A new, empty database on the test server (<c>{prefix}_{guid}</c>), for a test that reads a whole database (an audit,
    /// a check of what tables exist) and so must see only its own rows. Returns its connection string.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string prefix, int maxPoolSize = 20)
    {
        var server = new NpgsqlConnectionStringBuilder(await ConnectionStringAsync());
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(server.ConnectionString))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
            await create.ExecuteNonQueryAsync();
        server.Database = name;
        server.MaxPoolSize = maxPoolSize;
        return server.ConnectionString;
    }

    /// <summary>A fresh id, so tests sharing one database never see each other's rows.</summary>
    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("TICKETFLOW_TEST_PG");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        throwaway = await ThrowawayPostgres.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => throwaway.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return throwaway.ConnectionString;
    }
}
