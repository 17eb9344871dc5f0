using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;
using Orleans.Hosting;

namespace TicketFlow.Hosting;

/// <summary>
/// The Orleans Dashboard. Every silo collects for it (<see cref="SiloHosting.AddTicketFlow"/> calls <c>AddDashboard</c>);
/// WebFront serves its pages at <see cref="Path"/>, admins only, in both modes. It opens no port of its own.
/// </summary>
public static class ClusterDashboard
{
    public const string Path = "/dashboard";

    /// <summary>
    /// Section <c>Dashboard</c> (<see cref="DashboardOptions"/>). <c>HideTrace</c> defaults to true here: the live log stream
    /// would show the web process's own log, user ids and addresses included.
    /// </summary>
    public static void Configure(DashboardOptions options, IConfiguration configuration)
    {
        options.HideTrace = true;
        configuration.GetSection("Dashboard").Bind(options);
    }

    /// <summary>
    /// The dashboard's client side in a web app whose Orleans client lives in a host of its own (WebFront's
    /// <c>ClusterClientConnection</c>): its services go into the web app's container and call grains through its
    /// <c>IGrainFactory</c>, which is where <c>MapOrleansDashboard</c> looks for them.
    /// </summary>
    public static IServiceCollection AddDashboardClient(this IServiceCollection services, IConfiguration configuration)
    {
        new ServicesAsClientBuilder(services, configuration).AddDashboard(options => Configure(options, configuration));
        return services;
    }

    private sealed record ServicesAsClientBuilder(IServiceCollection Services, IConfiguration Configuration) : IClientBuilder;
}
