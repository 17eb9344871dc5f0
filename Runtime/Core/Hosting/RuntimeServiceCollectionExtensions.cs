using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Notifications;
using TicketFlow.Runtime.Statistics;

namespace TicketFlow.Runtime.Hosting;

/// <summary>Wires a web app to grains: as a client of a cluster, or co-hosting one embedded silo.</summary>
public static class RuntimeServiceCollectionExtensions
{
    /// <summary>Cluster mode: this process calls the silos found in the membership table.</summary>
    public static IServiceCollection AddClusterClient(this IServiceCollection services, Func<IServiceProvider, IMembershipTable> membership,
        IReadOnlyList<Assembly> grainAssemblies, ClusterOptions options)
    {
        services.AddSingleton(sp => new ClusterClient(membership(sp), grainAssemblies, options, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<ClusterClient>().GrainFactory);
        services.AddSingleton<IClusterNotifications>(sp => sp.GetRequiredService<ClusterClient>());
        services.AddSingleton<ISiloReports>(sp => sp.GetRequiredService<ClusterClient>());
        services.AddHostedService<ClusterClientService>();
        return services;
    }

    /// <summary>Embedded mode: one silo in this process, no network between the app and its grains.</summary>
    public static IServiceCollection AddEmbeddedSilo(this IServiceCollection services, Func<IServiceProvider, RuntimeStores> stores,
        IReadOnlyList<Assembly> grainAssemblies, ClusterOptions cluster, SiloOptions silo)
    {
        services.AddSingleton(sp => new SiloRuntime(stores(sp), grainAssemblies, cluster, silo, sp, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<SiloRuntime>().GrainFactory);
        services.AddSingleton<IClusterNotifications>(sp => sp.GetRequiredService<SiloRuntime>().Notifications);
        services.AddSingleton<ISiloReports>(sp => sp.GetRequiredService<SiloRuntime>());
        services.AddHostedService<EmbeddedSiloService>();
        return services;
    }

    private sealed class ClusterClientService(ClusterClient client) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => client.StartAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken) => await client.DisposeAsync();
    }

    private sealed class EmbeddedSiloService(SiloRuntime silo) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync($"embedded-{Environment.MachineName}", cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync(cancellationToken);
    }
}
