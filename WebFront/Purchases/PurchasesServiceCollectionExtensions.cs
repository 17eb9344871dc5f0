using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Security;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.WebFront.Availability;

namespace TicketFlow.WebFront.Purchases;

public static class PurchasesServiceCollectionExtensions
{
    /// <summary>Holds, checkout, waiting rooms and live availability; embedded, also what the co-hosted silo's grains need.</summary>
    public static IServiceCollection AddPurchases(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PurchaseOptions>(configuration.GetSection("Purchases"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventLookup>();
        services.AddSingleton<EventInventories>();
        services.AddSingleton<AdmissionTokens>();
        services.AddSingleton<AvailabilityCache>();
        services.AddSignalR();
        services.AddHostedService<AvailabilityBroadcaster>();
        services.AddHealthChecks().AddCheck<PaymentBreakerHealthCheck>("payments", tags: ["ready"]);
        services.AddMemoryCache(cache => cache.SizeLimit = 200_000); // waiting-room status answers, one entry per polling ticket
        if (ClusterConnection.PostgresConnectionString(configuration) is null)
        {
            services.AddCheckoutServices(configuration, sp => ClusterConnection.StoreDatabase(sp, configuration));
            services.AddWaitingRoomServices(configuration);
        }
        return services;
    }
}
