using Microsoft.AspNetCore.SignalR;

namespace TicketFlow.WebFront.Availability;

public static class AvailabilityHubServiceCollectionExtensions
{
    /// <summary>The availability hub's admission (configuration section <c>Hub</c>): a connection limit, also per client address.</summary>
    public static IServiceCollection AddAvailabilityHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HubAdmissionOptions>(configuration.GetSection(HubAdmissionOptions.Section));
        services.AddSingleton<HubAdmission>();
        services.AddSingleton<HubAdmissionFilter>();
        services.AddSignalR(hub => hub.AddFilter<HubAdmissionFilter>());
        services.Configure<HubOptions<AvailabilityHub>>(hub => hub.MaximumReceiveMessageSize = AvailabilityHub.MaxClientMessageBytes);
        return services;
    }
}
