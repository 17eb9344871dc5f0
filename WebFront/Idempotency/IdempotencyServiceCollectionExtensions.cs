using Npgsql;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.WebFront.Idempotency;

public static class IdempotencyServiceCollectionExtensions
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services, IConfiguration configuration)
    {
        if (ClusterConnection.PostgresConnectionString(configuration) is not null)
            services.AddSingleton<IIdempotencyStore>(sp => SqlIdempotencyStore.PostgreSql(sp.GetRequiredService<NpgsqlDataSource>()));
        else
            services.AddSingleton<IIdempotencyStore>(_ => SqlIdempotencyStore.Sqlite(new SqliteDatabase(ClusterConnection.SqlitePath(configuration))));
        services.Configure<IdempotencyOptions>(configuration.GetSection("Idempotency"));
        services.AddHostedService<IdempotencyBootstrap>();
        return services;
    }

    private sealed class IdempotencyBootstrap(IIdempotencyStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
