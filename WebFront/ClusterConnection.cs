using Npgsql;
using TicketFlow.Grains;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.WebFront;

/// <summary>How WebFront reaches grains: a cluster named by a PostgreSQL connection string, or one embedded silo on SQLite.</summary>
public static class ClusterConnection
{
    public static string Describe(IConfiguration configuration) =>
        PostgresConnectionString(configuration) is null ? $"embedded silo, SQLite at {SqlitePath(configuration)}" : "client of a silo cluster (PostgreSQL membership)";

    public static IServiceCollection AddGrainAccess(this IServiceCollection services, IConfiguration configuration)
    {
        var cluster = configuration.GetSection("Cluster").Get<ClusterOptions>() ?? new ClusterOptions();
        var postgres = PostgresConnectionString(configuration);
        services.AddSingleton(sp => StoreDatabase(sp, configuration)); // for services that take the store from the container (the key ring)
        if (postgres is not null)
        {
            services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
            return services.AddClusterClient(sp => new PostgresMembershipTable(sp.GetRequiredService<NpgsqlDataSource>(), cluster.ClusterId), GrainAssemblies.All, cluster);
        }
        var silo = configuration.GetSection("Silo").Get<SiloOptions>() ?? new SiloOptions();
        var path = SqlitePath(configuration);
        return services.AddEmbeddedSilo(sp => RuntimeStores.Sqlite(path, cluster, TimeProvider.System), GrainAssemblies.All, cluster, silo);
    }

    /// <summary>Registers a WebFront store on the same database as the grains: PostgreSQL in cluster mode, the SQLite file embedded.</summary>
    public static IServiceCollection AddStore<TStore>(this IServiceCollection services, IConfiguration configuration,
        Func<SqlStoreDatabase, TStore> create) where TStore : class =>
        services.AddSingleton(sp => create(StoreDatabase(sp, configuration)));

    /// <summary>The database WebFront's stores live in: PostgreSQL in cluster mode, the SQLite file embedded.</summary>
    public static SqlStoreDatabase StoreDatabase(IServiceProvider services, IConfiguration configuration) =>
        PostgresConnectionString(configuration) is not null
            ? SqlStoreDatabase.PostgreSql(services.GetRequiredService<NpgsqlDataSource>())
            : SqlStoreDatabase.Sqlite(new SqliteDatabase(SqlitePath(configuration)));

    internal static string? PostgresConnectionString(IConfiguration configuration)
    {
        var value = configuration["TICKETFLOW_POSTGRES"] ?? configuration.GetConnectionString("Postgres");
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    internal static string SqlitePath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["TICKETFLOW_DATA"] ?? configuration["Embedded:DataPath"] ?? Path.Combine("data", "ticketflow.db"));
}
