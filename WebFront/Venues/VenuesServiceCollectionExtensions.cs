using TicketFlow.WebFront.Cluster;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Venues;

public static class VenuesServiceCollectionExtensions
{
    /// <summary>The venue store (its tables made at start, before anything that seeds or reads venues) and the events' seat maps.</summary>
    public static IServiceCollection AddVenues(this IServiceCollection services)
    {
        services.AddStore<IVenueStore>(database => new SqlVenueStore(database));
        services.AddSingleton<SeatMaps>();
        services.AddHostedService<VenuesBootstrap>();
        return services;
    }

    private sealed class VenuesBootstrap(IVenueStore venues) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => venues.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
