using TicketFlow.WebFront.Cluster;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Catalog;

public static class CatalogServiceCollectionExtensions
{
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddVenues(); // events stand at venues: the venue tables exist before the demo catalog seeds venues and events
        services.AddStore<ICatalogStore>(database => new SqlCatalogStore(database));
        services.AddOutputCache();
        services.AddHostedService<CatalogBootstrap>();
        services.Configure<DemoOptions>(configuration.GetSection("Demo"));
        services.AddHostedService<DemoCatalogSeeder>(); // after CatalogBootstrap: hosted services start in order
        return services;
    }

    private sealed class CatalogBootstrap(ICatalogStore catalog) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => catalog.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
