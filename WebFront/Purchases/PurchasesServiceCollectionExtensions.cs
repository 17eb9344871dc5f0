using TicketFlow.Domain.Security;
using TicketFlow.WebFront.Availability;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Purchases;

public static class PurchasesServiceCollectionExtensions
{
    /// <summary>Holds, checkout, waiting rooms and live availability (what the grains need is the silo's: <c>SiloHosting</c>).</summary>
    public static IServiceCollection AddPurchases(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PurchaseOptions>(configuration.GetSection("Purchases"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventLookup>();
        services.AddSingleton<EventInventories>();
        services.AddSingleton<AdmissionTokens>();
        services.AddSingleton<AvailabilityCache>();
        services.AddHostedService(sp => sp.GetRequiredService<AvailabilityCache>()); // renews the tiers' watches
        services.AddSignalR();
        services.AddSingleton<SeatStatusCache>();
        services.AddHostedService(sp => sp.GetRequiredService<SeatStatusCache>()); // renews the sections' watches
        services.AddSingleton<EventAvailabilityReader>();
        services.AddHostedService<AvailabilityBroadcaster>();
        services.AddHealthChecks().AddCheck<PaymentBreakerHealthCheck>("payments", tags: ["ready"]);
        services.AddMemoryCache(cache => cache.SizeLimit = 200_000); // waiting-room status answers, one entry per polling ticket
        services.Configure<WaitingRoom.WaitingRoomPageOptions>(configuration.GetSection("WaitingRoom"));
        services.AddSingleton<WaitingRoom.StatusPollRate>();
        return services;
    }
}
