using Microsoft.Extensions.DependencyInjection;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Activation;
using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Notifications;
using TicketFlow.Runtime.Reminders;
using TicketFlow.Runtime.Statistics;
using TicketFlow.Runtime.Transport;

namespace TicketFlow.Runtime.Hosting;

/// <summary>
/// A silo: hosts activations of the grains the ring gives it, serves calls for them, forwards the rest,
/// fires its share of reminders and takes part in membership.
/// </summary>
public sealed class SiloRuntime : ISiloReports, IAsyncDisposable
{
    private readonly RuntimeStores stores;
    private readonly ClusterOptions cluster;
    private readonly SiloOptions options;
    private readonly ILogger logger;
    private readonly SiloContext context;
    private readonly MembershipWatcher watcher;
    private readonly SiloConnector connector;
    private readonly ReminderService reminders;
    private readonly Catalog catalog;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock terminating = new();
    private readonly TaskCompletionSource<bool> stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MembershipAgent? agent;
    private Task collector = Task.CompletedTask;

    public SiloRuntime(RuntimeStores stores, IEnumerable<Assembly> grainAssemblies, ClusterOptions cluster, SiloOptions options,
        IServiceProvider services, ILoggerFactory loggers, TimeProvider? time = null, JsonSerializerOptions? json = null)
    {
        this.stores = stores;
        this.cluster = cluster;
        this.options = options;
        logger = loggers.CreateLogger<SiloRuntime>();
        json ??= new JsonSerializerOptions(JsonSerializerDefaults.Web);
        time ??= TimeProvider.System;
        Registry = new GrainTypeRegistry(grainAssemblies);
        Json = json;
        Notifications = new NotificationHub(json);
        context = new SiloContext
        {
            Identity = "starting",
            Options = options,
            Registry = Registry,
            Storage = stores.Storage,
            Json = json,
            Statistics = Statistics,
            Time = time,
            Logger = loggers.CreateLogger("TicketFlow.Runtime.Activation"),
            Services = services,
            Notifications = Notifications,
        };
        catalog = new Catalog(context, (call, cancellation) => InvokeAsync(call, 0, cancellation));
        context.Catalog = catalog;
        GrainFactory = new GrainReferenceFactory(Registry, new Router(this), cluster.ResponseTimeout);
        context.GrainFactory = GrainFactory;
        watcher = new MembershipWatcher(stores.Membership, cluster.MembershipRefreshPeriod, logger);
        watcher.ViewChanged += OnViewChanged;
        connector = new SiloConnector(Registry, json, cluster.ConnectTimeout);
        reminders = new ReminderService(stores.Reminders, Registry, OwnsForReminders, call => catalog.DispatchAsync(call, CancellationToken.None),
            Statistics, time, options.ReminderPollPeriod, options.MinimumReminderPeriod, loggers.CreateLogger<ReminderService>());
        context.Reminders = reminders;
    }

    public SiloAddress Address { get; private set; }

    public SiloStatus Status { get; private set; } = SiloStatus.Joining;

    /// <summary>Grain references whose calls start from this silo.</summary>
    public IGrainFactory GrainFactory { get; }

    public NotificationHub Notifications { get; }

    public SiloStatistics Statistics { get; } = new();

    public MembershipView View => watcher.Current;

    public int ActivationCount => catalog.Count;

    /// <summary>After leaving the cluster, how long peers may still send here before they have re-read membership.</summary>
    public TimeSpan DrainPeriod => cluster.MembershipRefreshPeriod * 2;

    /// <summary>Completes when the silo has stopped; true if it stopped because the cluster declared it dead.</summary>
    public Task<bool> Stopped => stopped.Task;

    internal GrainTypeRegistry Registry { get; }

    internal JsonSerializerOptions Json { get; }

    internal bool IsTerminated => context.IsTerminated;

    internal bool HasActivation(GrainId id) => catalog.Contains(id);

    /// <summary>Creates the schema if needed, joins the membership table at <paramref name="endpoint"/> and becomes Active.</summary>
    public async Task StartAsync(string endpoint, CancellationToken cancellationToken)
    {
        await stores.Storage.InitializeAsync(cancellationToken);
        await stores.Reminders.InitializeAsync(cancellationToken);
        await stores.Membership.InitializeAsync(cancellationToken);
        Address = await stores.Membership.RegisterAsync(endpoint, cancellationToken);
        context.Identity = Address.ToString();
        await watcher.StartAsync(cancellationToken);
        agent = new MembershipAgent(stores.Membership, watcher, Address, options.HeartbeatPeriod, options.DeathTimeout, OnDeclaredDead, logger);
        agent.Start();
        if (!await stores.Membership.SetStatusAsync(Address, SiloStatus.Active, cancellationToken) || context.IsTerminated)
            throw new InvalidOperationException($"Silo {Address} was declared dead while it was starting.");
        Status = SiloStatus.Active;
        await watcher.RefreshAsync(cancellationToken);
        reminders.Start();
        collector = Task.Run(CollectIdleAsync);
        logger.LogInformation("Silo {Silo} is active in cluster {ClusterId} ({Silos} active silos)", Address, cluster.ClusterId, View.Active.Count);
    }

    /// <summary>Graceful stop: ShuttingDown, deactivate every grain (final writes), then Dead, so others take over at once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Status is SiloStatus.ShuttingDown or SiloStatus.Dead) return;
        Status = SiloStatus.ShuttingDown;
        logger.LogInformation("Silo {Silo} is shutting down", Address);
        await stores.Membership.SetStatusAsync(Address, SiloStatus.ShuttingDown, cancellationToken);
        await watcher.RefreshAsync(cancellationToken);
        await reminders.DisposeAsync();
        await catalog.DeactivateAllAsync(DeactivationReason.SiloShutdown, options.ShutdownTimeout);
        await StopBackgroundWorkAsync();
        await stores.Membership.SetStatusAsync(Address, SiloStatus.Dead, cancellationToken);
        Status = SiloStatus.Dead;
        context.IsTerminated = true;
        catalog.AbandonAll();
        Notifications.CloseStreams();
        logger.LogInformation("Silo {Silo} stopped", Address);
        stopped.TrySetResult(false);
    }

    /// <summary>Stops at once, as a crashed process would: no final writes, no membership update.</summary>
    public void Kill() => Terminate(declaredDead: false);

    private void OnDeclaredDead() => Terminate(declaredDead: true);

    private void Terminate(bool declaredDead)
    {
        // The membership agent's thread and the watcher can both find the silo declared dead at once.
        lock (terminating)
        {
            if (context.IsTerminated) return;
            context.IsTerminated = true;
        }
        Status = SiloStatus.Dead;
        stopping.Cancel();
        catalog.AbandonAll();
        Notifications.CloseStreams();
        _ = StopBackgroundWorkAsync();
        stopped.TrySetResult(declaredDead);
    }

    private async Task StopBackgroundWorkAsync()
    {
        await stopping.CancelAsync();
        await reminders.DisposeAsync();
        if (agent is not null) await agent.DisposeAsync();
        await watcher.DisposeAsync();
        await collector;
    }

    private async Task CollectIdleAsync()
    {
        using var timer = new PeriodicTimer(options.CollectionPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token)) catalog.CollectIdle(options.IdleActivationAge);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnViewChanged(MembershipView view)
    {
        if (view.StatusOf(Address) == SiloStatus.Dead && Status != SiloStatus.Dead)
        {
            logger.LogCritical("Silo {Silo} sees itself declared dead in membership version {Version}; stopping", Address, view.Version);
            OnDeclaredDead();
            return;
        }
        if (Status != SiloStatus.Active || view.Active.Count == 0) return;
        catalog.DeactivateWhere(a => view.OwnerOf(a.Id) != Address, DeactivationReason.OwnershipChanged);
    }

    private bool OwnsForReminders(GrainId grain) => Status == SiloStatus.Active && View.OwnerOf(grain) == Address;

    /// <summary>Routes a call that starts on this silo, resending it while it is certain it was not delivered.</summary>
    private Task<object?> InvokeAsync(GrainCall call, int hops, CancellationToken cancellationToken) =>
        DeliveryLoop.RunAsync(() => RouteAsync(call, hops, cancellationToken), watcher.RequestRefresh, cancellationToken);

    /// <summary>One routing decision: an existing local activation, else the ring's owner (here, or forwarded).</summary>
    internal Task<object?> RouteAsync(GrainCall call, int hops, CancellationToken cancellationToken)
    {
        // Not a NotDeliveredException: resending from a stopped silo cannot help; the caller must send it elsewhere.
        if (context.IsTerminated) throw new SiloUnavailableException($"Silo {Address} has stopped.");
        if (catalog.TryDispatchToExisting(call, cancellationToken, out var existing)) return existing;
        var view = View;
        var owner = view.OwnerOf(call.Target);
        if (owner == Address && Status == SiloStatus.Active)
        {
            var result = catalog.DispatchAsync(call, cancellationToken);
            // The view may have changed between the decision and the activation: don't keep a grain we no longer own.
            if (!ReferenceEquals(view, View) && View.OwnerOf(call.Target) != Address) catalog.Deactivate(call.Target, DeactivationReason.OwnershipChanged);
            return result;
        }
        if (owner is null || owner == Address) throw new NotDeliveredException($"No active silo owns {call.Target} in membership version {view.Version}.");
        if (hops >= options.MaxForwardHops)
            throw new NotDeliveredException($"{call} was forwarded {hops} times: silos disagree about membership.");
        return connector.SendAsync(owner.Value, call, hops + 1, cluster.ResponseTimeout, cancellationToken);
    }

    public SiloReport Report() => new(
        Address.ToString(), Status.ToString(), catalog.CountByType(), Statistics.Methods(),
        Statistics.RemindersFired, Statistics.GroupCommits, Statistics.GroupCommitCalls, SiloStatistics.Process())
    {
        Health = context.Services.GetServices<ISiloHealthSource>().ToDictionary(source => source.Name, source => source.State),
    };

    /// <summary>This silo's own report: what a dashboard shows in embedded mode.</summary>
    public Task<IReadOnlyList<SiloReport>> GetSiloReportsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SiloReport>>([Report()]);

    public async ValueTask DisposeAsync()
    {
        if (!context.IsTerminated) Kill();
        await StopBackgroundWorkAsync();
        connector.Dispose();
    }

    /// <summary>References whose calls always run on this silo, whoever owns the grain: lets tests force duplicate activations.</summary>
    internal IGrainFactory CreatePinnedGrainFactory() => new GrainReferenceFactory(Registry, new Pinned(this), cluster.ResponseTimeout);

    private sealed class Pinned(SiloRuntime silo) : IGrainCallInvoker
    {
        public Task<object?> InvokeAsync(GrainCall call, int hops, CancellationToken cancellationToken) => silo.catalog.DispatchAsync(call, cancellationToken);
    }

    private sealed class Router(SiloRuntime silo) : IGrainCallInvoker
    {
        public Task<object?> InvokeAsync(GrainCall call, int hops, CancellationToken cancellationToken) => silo.InvokeAsync(call, hops, cancellationToken);
    }
}
