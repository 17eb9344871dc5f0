using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFlow.Domain.Security;

namespace TicketFlow.Grains.WaitingRoom;

public static class WaitingRoomServiceCollectionExtensions
{
    /// <summary>What waiting-room grains need where they run: their options and the admission-token signer (the host registers the <see cref="SigningKey"/>).</summary>
    public static IServiceCollection AddWaitingRoomServices(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new WaitingRoomOptions();
        configuration.GetSection("WaitingRoom").Bind(options);
        options.Defaults.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton<AdmissionTokens>();
        return services;
    }
}
