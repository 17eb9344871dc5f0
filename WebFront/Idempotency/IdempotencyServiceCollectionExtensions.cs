using TicketFlow.WebFront.Cluster;
namespace TicketFlow.WebFront.Idempotency;

public static class IdempotencyServiceCollectionExtensions
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStore<IIdempotencyStore>(database => new SqlIdempotencyStore(database));
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
