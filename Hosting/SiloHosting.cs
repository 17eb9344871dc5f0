using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using TicketFlow.Data.Journal;
using TicketFlow.Data.Reminders;
using TicketFlow.Grains;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.Hosting.Storage;

namespace TicketFlow.Hosting;

/// <summary>
/// What every TicketFlow silo is, wherever it runs (the Silo process, the WebFront's embedded silo, test clusters,
/// benchmarks): Orleans with its ADO.NET grain storage (state as plain JSON, any failed write deactivating), the grain
/// journals, durable reminders, and the services grains ask for. Clustering and endpoints are the host's choice.
/// </summary>
public static class SiloHosting
{
    /// <summary>Orleans' ADO.NET provider behind <see cref="StorageProviders.State"/> (which fences it); grains never name it.</summary>
    public const string AdoNetStateProvider = "state-adonet";

    /// <summary>Namespaces whose exceptions Orleans may carry between processes, besides Microsoft's and System's.</summary>
    public static readonly string[] SerializableExceptionNamespaces = ["Npgsql", "TicketFlow"];

    /// <summary>
    /// Failure detection for a cluster whose silos share a LAN (Orleans' defaults are for clouds: 5 s probes, 30 s liveness
    /// rows, a minute and more to declare a silo dead). Each silo probes the others every second; three missed probes, an
    /// indirect probe through another silo that also fails, and the votes of two silos declare a silo dead: a kill -9'd
    /// silo (its port refuses at once) is declared dead in about 3 s. A slow prober extends its own timeouts
    /// (<c>ExtendProbeTimeoutDuringDegradation</c>, on by default). Three misses, not two: a silo that starts again on a
    /// starved machine spends seconds JIT-compiling while the others already probe it, and with two it was declared dead
    /// while joining (seen in the chaos run and the CI smoke test). Liveness rows every 5 s, stale after two
    /// misses: a whole cluster restarted after kill -9 does not wait for rows of processes that are gone.
    /// </summary>
    public static void FastFailureDetection(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 3;
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        options.NumMissedTableIAmAliveLimit = 2;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(10);
    }

    /// <param name="configuration">Sections <c>Cluster</c> (ClusterId, ServiceId, ResponseTimeout, Membership), <c>Reminders</c>
    /// (MinimumPeriod), and those of the grain services (<c>Checkout</c>, <c>Payments</c>, <c>WaitingRoom</c>).</param>
    public static ISiloBuilder AddTicketFlow(this ISiloBuilder silo, IConfiguration configuration, ClusterStorage storage)
    {
        var cluster = ClusterSettings.From(configuration);
        silo.Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
        silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = cluster.ResponseTimeout);
        silo.Configure<ClusterMembershipOptions>(FastFailureDetection);
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Cluster:Membership")); // overrides any of them
        silo.Configure<ReminderOptions>(options =>
            options.MinimumReminderPeriod = configuration.GetValue("Reminders:MinimumPeriod", options.MinimumReminderPeriod));
        silo.UseSystemTextJsonGrainStorageSerializer(); // plain JSON, no .NET type names: a renamed class still loads

        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(storage);
        services.AddSingleton(storage.Database);
        services.AddSingleton<IJournalStore>(sp => storage.Database.Journals(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, StoragePreparation>();

        services.AddAdoNetGrainStorage(AdoNetStateProvider, options =>
        {
            options.Invariant = storage.Invariant;
            options.DataSource = storage.DataSource;
            options.ConnectionString = storage.ConnectionString;
        });
        services.AddGrainStorage(StorageProviders.State, (sp, _) =>
            new FencedGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStateProvider), sp.GetRequiredService<IGrainContextAccessor>()));

        if (storage.Database.IsPostgreSql)
        {
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = storage.Invariant;
                options.DataSource = storage.DataSource;
            });
        }
        else
        {
            // Orleans has no SQLite reminder scripts: TicketFlow's own table, in the same file.
            silo.AddReminders();
            services.AddSingleton<IReminderTable>(sp =>
                new SqliteReminderTable(storage.Database.SqliteFile!, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        }

        silo.AddDashboard(options => ClusterDashboard.Configure(options, configuration));
        silo.AddIncomingGrainCallFilter<DatabaseOutageFilter>();
        // Exceptions of these libraries cross the wire as themselves (the fallback codec), not as "no codec found".
        services.Configure<ExceptionSerializationOptions>(options => options.SupportedNamespacePrefixes.UnionWith(SerializableExceptionNamespaces));

        services.AddPurchaseServices(configuration, _ => storage.Database);
        services.AddWaitingRoomServices(configuration);
        return silo;
    }
}
