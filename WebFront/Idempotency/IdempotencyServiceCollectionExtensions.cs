using TicketFlow.Data;

namespace TicketFlow.WebFront.Idempotency;

public static class IdempotencyServiceCollectionExtensions
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services, IConfiguration configuration)
    {
        // PostgreSQL (cluster mode, every WebFront of the cluster at once): claims and responses under group commit.
        // The SQLite file (embedded mode): one transaction each, as SQLite writes one at a time anyway.
        services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqlStoreDatabase>() is var database && database.IsPostgreSql
            ? new BatchedIdempotencyStore(database)
            : new SqlIdempotencyStore(database));
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
