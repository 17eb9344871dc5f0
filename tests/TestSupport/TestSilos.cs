using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using TicketFlow.Hosting;
using TicketFlow.Hosting.Storage;

namespace TicketFlow.Testing;

/// <summary>What a test cluster's silos are given besides the defaults of <see cref="TestSilos"/>.</summary>
public sealed class TestSiloOptions
{
    public int Silos { get; init; } = 3;

    /// <summary>Configuration every silo reads (sections of <see cref="SiloHosting.AddTicketFlow"/>); overrides the test defaults.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Runs after <see cref="SiloHosting.AddTicketFlow"/> on every silo: a test's own services (fault injection, a gateway).</summary>
    public Action<ISiloBuilder>? ConfigureSilo { get; init; }

    /// <summary>A service id of the test's choosing (two clusters sharing storage); a fresh one by default.</summary>
    public string? ServiceId { get; init; }

    /// <summary>Where the silos keep their state: the tests' PostgreSQL unless given (an embedded SQLite file).</summary>
    public ClusterStorage? Storage { get; init; }

    /// <summary>How long a client's grain call may wait for an answer before it fails with a timeout (Orleans' default: 30 s).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// TicketFlow's silos on Orleans' <see cref="InProcessTestCluster"/>: each silo is configured exactly as a Silo process
/// configures itself (<see cref="SiloHosting.AddTicketFlow"/>) on the tests' real PostgreSQL, with a fresh cluster and service
/// id so tests sharing the database never see each other's rows. Membership and transport are Orleans' in-memory test
/// ones, so a killed silo is noticed at once: these clusters prove behaviour, not failure-detection timing.
/// </summary>
public static class TestSilos
{
    /// <summary>Short reminder periods and saga timings, so reminder-driven behaviour is observable within seconds.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Reminders:MinimumPeriod"] = "00:00:01",
        ["Cluster:ResponseTimeout"] = "00:00:30",
        // Orleans' own probe timing, not the production one (SiloHosting.FastFailureDetection): three silos in one test
        // process share two cores with the other test assemblies, and these clusters prove behaviour, not detection speed
        // (that is ClusterModeTests and the chaos runs, on real processes).
        ["Cluster:Membership:ProbeTimeout"] = "00:00:05",
        ["Cluster:Membership:NumMissedProbesLimit"] = "3",
    };

    public static async Task<InProcessTestCluster> StartAsync(TestSiloOptions? options = null)
    {
        options ??= new TestSiloOptions();
        var storage = options.Storage ?? ClusterStorage.PostgreSql(await TestDatabase.DataSourceAsync());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Defaults).AddInMemoryCollection(options.Settings).Build();
        var builder = new InProcessTestClusterBuilder((short)options.Silos);
        builder.Options.ClusterId = TestDatabase.UniqueId("cluster");
        builder.Options.ServiceId = options.ServiceId ?? TestDatabase.UniqueId("service");
        // TICKETFLOW_TEST_LOGS=1: every silo's log in ./logs (Orleans' own file logging), to see why a test cluster misbehaved.
        builder.Options.ConfigureFileLogging = Environment.GetEnvironmentVariable("TICKETFLOW_TEST_LOGS") == "1";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddTicketFlow(configuration, storage);
            options.ConfigureSilo?.Invoke(silo);
        });
        builder.ConfigureClient(client =>
        {
            client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = options.ResponseTimeout);
            client.Services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(exceptions =>
                exceptions.SupportedNamespacePrefixes.UnionWith(SiloHosting.SerializableExceptionNamespaces));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The silo that hosts the grain's activation now (activating it if it has none).</summary>
    public static async Task<InProcessSiloHandle> HostOfAsync(this InProcessTestCluster cluster, IAddressable grain)
    {
        var address = await cluster.Client.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetActivationAddress(grain);
        return cluster.Silos.Single(s => s.SiloAddress.Equals(address));
    }
}
