using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Testing;

public sealed class TestClusterOptions
{
    public int InitialSilos { get; set; } = 3;

    public required IReadOnlyList<Assembly> GrainAssemblies { get; init; }

    /// <summary>Adjust silo settings; the defaults here are short so failures are detected within seconds.</summary>
    public Action<SiloOptions>? ConfigureSilo { get; init; }

    public Action<ClusterOptions>? ConfigureCluster { get; init; }

    /// <summary>Wraps every silo's storage (fault injection).</summary>
    public Func<IGrainStorage, IGrainStorage>? WrapStorage { get; init; }

    /// <summary>Wraps every silo's membership table (fault injection); the cluster's own <see cref="TestCluster.Membership"/> is not wrapped.</summary>
    public Func<IMembershipTable, IMembershipTable>? WrapMembership { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>
/// Several silos in this process, each with its own Kestrel HTTP/2 endpoint on loopback, sharing a real
/// PostgreSQL database, plus a <see cref="ClusterClient"/>. Silos can be started, stopped gracefully, or killed.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions options;
    private readonly List<SiloHost> silos = [];
    private readonly ILoggerFactory loggers = NullLoggerFactory.Instance;
    private readonly string connectionString;
    private readonly List<NpgsqlDataSource> membershipAgentSources = [];

    private TestCluster(TestClusterOptions options, string connectionString, ClusterOptions cluster)
    {
        this.options = options;
        this.connectionString = connectionString;
        var dataSource = NpgsqlDataSource.Create(connectionString);
        DataSource = dataSource;
        Cluster = cluster;
        Storage = new PostgresGrainStorage(dataSource, cluster.ServiceId);
        Membership = new PostgresMembershipTable(dataSource, cluster.ClusterId);
        Client = new ClusterClient(Membership, options.GrainAssemblies, cluster, loggers);
    }

    public NpgsqlDataSource DataSource { get; }

    public ClusterOptions Cluster { get; }

    /// <summary>The cluster's grain storage, read directly (not through any activation).</summary>
    public IGrainStorage Storage { get; }

    public IMembershipTable Membership { get; }

    public ClusterClient Client { get; }

    public IGrainFactory GrainFactory => Client.GrainFactory;

    public IReadOnlyList<SiloHost> Silos
    {
        get { lock (silos) return silos.ToList(); }
    }

    public static async Task<TestCluster> StartAsync(TestClusterOptions options)
    {
        var cluster = new ClusterOptions
        {
            ClusterId = TestDatabase.UniqueId("cluster"),
            ServiceId = TestDatabase.UniqueId("service"),
            MembershipRefreshPeriod = TimeSpan.FromMilliseconds(200),
            ResponseTimeout = TimeSpan.FromSeconds(30),
        };
        options.ConfigureCluster?.Invoke(cluster);
        var testCluster = new TestCluster(options, await TestDatabase.ConnectionStringAsync(), cluster);
        await testCluster.Storage.InitializeAsync(CancellationToken.None);
        for (var i = 0; i < options.InitialSilos; i++) await testCluster.StartSiloAsync();
        await testCluster.Client.StartAsync(CancellationToken.None);
        await testCluster.WaitForActiveSilosAsync();
        return testCluster;
    }

    /// <param name="port">0 for any free port; a dead silo's port to restart it there (as a new generation).</param>
    public async Task<SiloHost> StartSiloAsync(int port = 0)
    {
        var siloOptions = new SiloOptions
        {
            HeartbeatPeriod = TimeSpan.FromMilliseconds(200),
            // Short, so failure tests run in seconds; not shorter, or a test process starved by its neighbours on a
            // two-core CI machine misses heartbeats and a healthy silo is declared dead.
            DeathTimeout = TimeSpan.FromSeconds(3),
            ReminderPollPeriod = TimeSpan.FromMilliseconds(200),
            MinimumReminderPeriod = TimeSpan.FromMilliseconds(100),
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        };
        options.ConfigureSilo?.Invoke(siloOptions);
        var host = await SiloHost.StartAsync(new SiloHostOptions
        {
            Stores = _ =>
            {
                // Each silo's heartbeats get a pool of their own, as in a silo process.
                var agentSource = PostgresMembershipTable.CreateAgentDataSource(connectionString);
                lock (membershipAgentSources) membershipAgentSources.Add(agentSource);
                var stores = RuntimeStores.PostgreSql(DataSource, Cluster, agentSource);
                return stores with
                {
                    Storage = options.WrapStorage?.Invoke(stores.Storage) ?? stores.Storage,
                    Membership = options.WrapMembership?.Invoke(stores.Membership) ?? stores.Membership,
                };
            },
            Port = port,
            GrainAssemblies = options.GrainAssemblies,
            Cluster = Cluster,
            Silo = siloOptions,
            ConfigureServices = options.ConfigureServices,
        }, CancellationToken.None);
        lock (silos) silos.Add(host);
        return host;
    }

    /// <summary>Graceful shutdown: the silo hands its grains over and leaves the membership table as Dead.</summary>
    public async Task StopSiloAsync(SiloHost silo)
    {
        lock (silos) silos.Remove(silo);
        await silo.StopAsync(CancellationToken.None);
        await silo.DisposeAsync();
    }

    /// <summary>No shutdown at all: the others find out through missed heartbeats.</summary>
    public async Task KillSiloAsync(SiloHost silo)
    {
        lock (silos) silos.Remove(silo);
        await silo.KillAsync();
        await silo.DisposeAsync();
    }

    /// <summary>Kills the silo (or stops it gracefully) and starts a new process-equivalent on the same endpoint.</summary>
    public async Task<SiloHost> RestartSiloAsync(SiloHost silo, bool graceful = false)
    {
        var port = int.Parse(silo.Endpoint[(silo.Endpoint.LastIndexOf(':') + 1)..]);
        if (graceful) await StopSiloAsync(silo);
        else await KillSiloAsync(silo);
        return await StartSiloAsync(port);
    }

    /// <summary>Waits until every live silo and the client see exactly the live silos as active.</summary>
    public async Task WaitForActiveSilosAsync(TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var expected = Silos.Select(s => s.Runtime.Address).OrderBy(a => a.ToString()).ToList();
            var view = await Client.RefreshMembershipAsync(CancellationToken.None);
            if (view.Active.SequenceEqual(expected) && Silos.All(s => s.Runtime.View.Active.SequenceEqual(expected))) return;
            if (deadline.Elapsed > limit)
                throw new TimeoutException($"Membership did not settle on [{string.Join(", ", expected)}] within {limit}: client sees [{string.Join(", ", view.Active)}].");
            await Task.Delay(50);
        }
    }

    /// <summary>The live silo that owns the grain according to the client's view.</summary>
    public SiloHost OwnerOf<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        var id = new GrainId(new GrainTypeRegistry(options.GrainAssemblies).GrainTypeOf(typeof(TGrain)), key);
        var owner = Client.View.OwnerOf(id);
        return Silos.Single(s => s.Runtime.Address == owner);
    }

    /// <summary>A grain's state as stored (not as any activation holds it); null if never written or cleared.</summary>
    public async Task<TState?> ReadStoredStateAsync<TState>(string grainType, string key, string stateName) where TState : class
    {
        var stored = await Storage.ReadAsync(grainType, key, stateName, CancellationToken.None);
        return stored?.Payload is null ? null : System.Text.Json.JsonSerializer.Deserialize<TState>(stored.Payload, System.Text.Json.JsonSerializerOptions.Web);
    }

    /// <summary>References whose calls run on <paramref name="silo"/> whoever owns the grain: forces duplicate activations.</summary>
    public static IGrainFactory PinnedFactory(SiloHost silo) => silo.Runtime.CreatePinnedGrainFactory();

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        foreach (var silo in Silos) await silo.DisposeAsync();
        await DataSource.DisposeAsync();
        foreach (var source in membershipAgentSources) await source.DisposeAsync();
    }
}
