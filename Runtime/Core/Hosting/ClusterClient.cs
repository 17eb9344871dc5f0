using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Notifications;
using TicketFlow.Runtime.Statistics;
using TicketFlow.Runtime.Transport;

namespace TicketFlow.Runtime.Hosting;

/// <summary>
/// A process outside the silos (WebFront, tools, tests) that calls grains: reads membership, sends each call to
/// the silo that owns the grain, and keeps a notification stream open to every active silo.
/// </summary>
public sealed class ClusterClient : IClusterNotifications, ISiloReports, IAsyncDisposable
{
    private readonly IMembershipTable membership;
    private readonly MembershipWatcher watcher;
    private readonly SiloConnector connector;
    private readonly ClusterOptions options;
    private readonly ILogger logger;
    private readonly NotificationHub local;
    private readonly ConcurrentDictionary<SiloAddress, CancellationTokenSource> streams = new();
    private readonly CancellationTokenSource stopping = new();

    public ClusterClient(IMembershipTable membership, IEnumerable<Assembly> grainAssemblies, ClusterOptions options, ILoggerFactory loggers, JsonSerializerOptions? json = null)
    {
        this.options = options;
        this.membership = membership;
        logger = loggers.CreateLogger<ClusterClient>();
        json ??= new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var registry = new GrainTypeRegistry(grainAssemblies);
        watcher = new MembershipWatcher(membership, options.MembershipRefreshPeriod, logger);
        watcher.ViewChanged += ConnectStreams;
        connector = new SiloConnector(registry, json, options.ConnectTimeout);
        local = new NotificationHub(json);
        GrainFactory = new GrainReferenceFactory(registry, new Invoker(this), options.ResponseTimeout);
    }

    public IGrainFactory GrainFactory { get; }

    public MembershipView View => watcher.Current;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await membership.InitializeAsync(cancellationToken); // a client may start before any silo created the tables
        await watcher.StartAsync(cancellationToken);
        logger.LogInformation("Cluster client connected to {ClusterId}: {Silos} active silos", options.ClusterId, View.Active.Count);
    }

    /// <summary>Reads the table now; used by tests and tools that must see a change at once.</summary>
    public Task<MembershipView> RefreshMembershipAsync(CancellationToken cancellationToken) => watcher.RefreshAsync(cancellationToken);

    public IDisposable Subscribe(string topicPrefix, Action<GrainNotification> handler) => local.Subscribe(topicPrefix, handler);

    /// <summary>Statistics of every active silo, for a dashboard; silos that do not answer are left out.</summary>
    public async Task<IReadOnlyList<SiloReport>> GetSiloReportsAsync(CancellationToken cancellationToken)
    {
        var reports = await Task.WhenAll(View.Active.Select(async silo =>
        {
            try { return await connector.GetReportAsync(silo, cancellationToken); }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException) { return null; }
        }));
        return reports.OfType<SiloReport>().ToList();
    }

    private Task<object?> InvokeAsync(GrainCall call, CancellationToken cancellationToken) =>
        DeliveryLoop.RunAsync(() =>
        {
            var owner = View.OwnerOf(call.Target) ?? throw new NotDeliveredException($"No active silo in membership version {View.Version}.");
            return connector.SendAsync(owner, call, 0, options.ResponseTimeout, cancellationToken);
        }, watcher.RequestRefresh, cancellationToken);

    // One long-lived stream per active silo; a broken stream reconnects while the silo stays in the view.
    private void ConnectStreams(MembershipView view)
    {
        foreach (var silo in view.Active)
        {
            if (streams.ContainsKey(silo) || stopping.IsCancellationRequested) continue;
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            if (streams.TryAdd(silo, cancellation)) _ = Task.Run(() => ReadStreamAsync(silo, cancellation.Token));
        }
        foreach (var gone in streams.Keys.Except(view.Active).ToList())
            if (streams.TryRemove(gone, out var cancellation)) cancellation.Cancel();
    }

    private async Task ReadStreamAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await connector.ReadNotificationsAsync(silo, n => local.Publish(n), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogDebug(error, "Notification stream from {Silo} broke; reconnecting", silo);
            }
            try { await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken); } catch (OperationCanceledException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await watcher.DisposeAsync();
        connector.Dispose();
    }

    private sealed class Invoker(ClusterClient client) : IGrainCallInvoker
    {
        public Task<object?> InvokeAsync(GrainCall call, int hops, CancellationToken cancellationToken) => client.InvokeAsync(call, cancellationToken);
    }
}
