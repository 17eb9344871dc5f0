using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using TicketFlow.Data.Journal;
using TicketFlow.Domain.Security;
using TicketFlow.Hosting;
using TicketFlow.Hosting.Storage;
using TicketFlow.Testing;

namespace TicketFlow.Benchmarks;

/// <summary>
/// One TicketFlow silo in this process, configured as a Silo process configures itself (<see cref="SiloHosting.AddTicketFlow"/>)
/// on the benchmark's PostgreSQL, with a gateway for outside clients. Journal appends are counted (calls per commit).
/// </summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost host;

    private BenchSilo(IHost host, FaultInjectingJournalStore journals, int gatewayPort, string clusterId, string serviceId)
    {
        this.host = host;
        Journals = journals;
        GatewayPort = gatewayPort;
        (ClusterId, ServiceId) = (clusterId, serviceId);
    }

    /// <summary>Calls from inside the silo's process: no network between the caller and the grain.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public FaultInjectingJournalStore Journals { get; }

    public int GatewayPort { get; }

    public string ClusterId { get; }

    public string ServiceId { get; }

    public static async Task<BenchSilo> StartAsync(NpgsqlDataSource dataSource)
    {
        var (clusterId, serviceId) = ($"bench-{Guid.NewGuid():N}", $"bench-{Guid.NewGuid():N}");
        var (siloPort, gatewayPort) = (LocalMachine.FreePort(), LocalMachine.FreePort());
        var journals = new FaultInjectingJournalStore(new PostgresJournalStore(dataSource, serviceId));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new SigningKey(RandomNumberGenerator.GetBytes(32)));
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId)
            .AddTicketFlow(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Cluster:ClusterId"] = clusterId,
                ["Cluster:ServiceId"] = serviceId,
            }).Build(), ClusterStorage.PostgreSql(dataSource))
            .Services.AddSingleton<IJournalStore>(journals));
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host, journals, gatewayPort, clusterId, serviceId);
    }

    /// <summary>Deactivates every idle activation, so the next row runs with only its own grains in memory.</summary>
    public async Task CollectIdleActivationsAsync()
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        var hosts = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        await management.ForceActivationCollection(hosts, TimeSpan.Zero);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>An Orleans client in its own host that reaches this silo through its gateway over TCP (loopback).</summary>
    public async Task<IHost> StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseLocalhostClustering(GatewayPort, ServiceId, ClusterId));
        var client = builder.Build();
        await client.StartAsync();
        return client;
    }


    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
