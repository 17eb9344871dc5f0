using System.Net;
using System.Net.Sockets;
using Npgsql;
using TicketFlow.Data;
using TicketFlow.Hosting;
using TicketFlow.Hosting.Storage;

namespace TicketFlow.WebFront.Cluster;

/// <summary>
/// How WebFront reaches grains. With <c>TICKETFLOW_POSTGRES</c> and <c>TICKETFLOW_REDIS</c> set it is an Orleans client of the
/// silo cluster (membership in Redis), connecting in the background; with neither it co-hosts one embedded silo whose grain
/// state, journals and reminders live in the SQLite file beside its own tables. Either way endpoints use <see cref="IGrainFactory"/>.
/// </summary>
public static class GrainAccess
{
    public static bool IsClusterMode(IConfiguration configuration) => ClusterSettings.PostgresConnectionString(configuration) is not null;

    public static string Describe(IConfiguration configuration)
    {
        if (IsClusterMode(configuration)) return "client of the silo cluster (membership in Redis, storage in PostgreSQL)";
        var path = SqlitePath(configuration);
        return File.Exists(path) ? $"embedded silo, SQLite at {path}" : $"embedded silo, SQLite at {path} (first start: creating the tables, then seeding the demo events)";
    }

    public static WebApplicationBuilder AddGrainAccess(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var postgres = ClusterSettings.PostgresConnectionString(configuration);
        if (postgres is not null)
        {
            var redis = ClusterSettings.RedisConnectionString(configuration)
                ?? throw new InvalidOperationException("Cluster mode (TICKETFLOW_POSTGRES is set) needs TICKETFLOW_REDIS: the Redis that holds the cluster's membership.");
            // Created by the container, so it is disposed (its pooled connections closed) with the host.
            builder.Services.AddSingleton(_ => PostgresDataSource.Create(postgres));
            builder.Services.AddSingleton(sp => SqlStoreDatabase.PostgreSql(sp.GetRequiredService<NpgsqlDataSource>()));
            var tls = ClusterTls.FromConfiguration(configuration); // at start: a missing certificate is a configuration error, not a retry
            builder.Services.AddSingleton(sp => new ClusterClientConnection(configuration, redis, tls, sp.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterClientConnection>());
            builder.Services.AddSingleton<IGrainFactory>(sp => new ClusterGrainFactory(sp.GetRequiredService<ClusterClientConnection>()));
            builder.Services.AddDashboardClient(configuration);
            return builder;
        }
        var storage = ClusterStorage.Sqlite(new SqliteDatabase(SqlitePath(configuration)));
        var cluster = ClusterSettings.From(configuration);
        // One silo in this process: nothing else connects to it, so no gateway, and any free port for its own endpoint.
        // Its silo port listens on loopback: a throwaway certificate authority keeps other local processes out.
        builder.UseOrleans(silo => ClusterTls.Ephemeral().Apply(silo)
            .UseLocalhostClustering(siloPort: configuration.GetValue("Embedded:SiloPort", FreePort()), gatewayPort: 0,
                serviceId: cluster.ServiceId, clusterId: cluster.ClusterId)
            .AddTicketFlow(configuration, storage));
        return builder;
    }

    /// <summary>Registers a WebFront store on the same database as the grains: PostgreSQL in cluster mode, the SQLite file embedded.</summary>
    public static IServiceCollection AddStore<TStore>(this IServiceCollection services, Func<SqlStoreDatabase, TStore> create) where TStore : class =>
        services.AddSingleton(sp => create(sp.GetRequiredService<SqlStoreDatabase>()));

    internal static string SqlitePath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["TICKETFLOW_DATA"] ?? configuration["Embedded:DataPath"] ?? Path.Combine("data", "ticketflow.db"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
