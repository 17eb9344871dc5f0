using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TicketFlow.AppHost;

/// <summary>A process of the cluster as tools see it (cluster.json and the control endpoint's /state).</summary>
/// <param name="State">running, paused (SIGSTOP), starting or stopped.</param>
public sealed record ClusterProcess(string Name, string Kind, int? Pid, string State, bool Healthy, int? ExitCode, int? Port, int? GatewayPort, int? ManagementPort);

/// <summary>
/// The faults of the chaos run, for the dashboard's resource commands and the control endpoint: kill -9 a silo or every
/// silo, pause one (SIGSTOP/SIGCONT), restart PostgreSQL or Redis through Aspire's own restart, FLUSHALL Redis. Each
/// returns one line saying what happened. A killed silo is started again by the <see cref="Supervisor"/>, not here.
/// </summary>
public sealed partial class ClusterFaults(
    ClusterLayout layout, ResourceNotificationService notifications, ResourceCommandService commands, ClusterRedis redis, ILogger<ClusterFaults> logger)
{
    private const int SigInt = 2, SigKill = 9, SigCont = 18, SigStop = 19;
    private static readonly TimeSpan ServerDeadline = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, Stopwatch> paused = new();

    public async Task<string> KillSiloAsync(int index)
    {
        var silo = Silo(index);
        var pid = Pid(silo.Name) ?? throw new InvalidOperationException($"{silo.Name} is not running");
        Signal(pid, SigKill); // ends a paused process too
        paused.TryRemove(silo.Name, out _);
        await WaitUntilAsync(silo.Name, e => Pid(e) != pid || IsStopped(e), TimeSpan.FromSeconds(10));
        return Log($"{silo.Name} (pid {pid}) killed with SIGKILL: the others declare it dead once it misses its probes");
    }

    public async Task<string> KillAllSilosAsync()
    {
        var running = layout.Silos.Where(s => Pid(s.Name) is not null).ToList();
        foreach (var silo in running) Signal(Pid(silo.Name)!.Value, SigKill);
        foreach (var silo in running) paused.TryRemove(silo.Name, out _);
        await Task.WhenAll(running.Select(s => WaitUntilAsync(s.Name, IsStopped, TimeSpan.FromSeconds(10))));
        return Log($"every silo killed with SIGKILL ({string.Join(", ", running.Select(s => s.Name))})");
    }

    public Task<string> PauseSiloAsync(int index)
    {
        var silo = Silo(index);
        var pid = Pid(silo.Name) ?? throw new InvalidOperationException($"{silo.Name} is not running");
        if (!paused.TryAdd(silo.Name, Stopwatch.StartNew())) throw new InvalidOperationException($"{silo.Name} is already paused");
        Signal(pid, SigStop);
        return Task.FromResult(Log($"{silo.Name} (pid {pid}) paused with SIGSTOP: it answers no probes, the others declare it dead"));
    }

    public Task<string> ResumeSiloAsync(int index)
    {
        var silo = Silo(index);
        if (!paused.TryRemove(silo.Name, out var since)) throw new InvalidOperationException($"{silo.Name} is not paused");
        var pid = Pid(silo.Name) ?? throw new InvalidOperationException($"{silo.Name} is not running any more");
        Signal(pid, SigCont);
        return Task.FromResult(Log($"{silo.Name} (pid {pid}) resumed with SIGCONT after {since.Elapsed.TotalSeconds:0.0} s; if the cluster declared it dead meanwhile it exits"));
    }

    /// <summary>The dashboard's "Pause 15 s": SIGSTOP now, SIGCONT later.</summary>
    public async Task<string> PauseSiloForAsync(int index, TimeSpan pause)
    {
        var paused = await PauseSiloAsync(index);
        _ = Task.Delay(pause).ContinueWith(_ => ResumeSiloAsync(index), TaskScheduler.Default);
        return $"{paused}; SIGCONT in {pause.TotalSeconds:0} s";
    }

    /// <summary>Starts a stopped silo (the supervisor does this by itself; this is for a silo a user stopped).</summary>
    public async Task<string> StartSiloAsync(int index)
    {
        var silo = Silo(index);
        var result = await commands.ExecuteCommandAsync(silo.Name, KnownResourceCommands.StartCommand);
        if (!result.Success) throw new InvalidOperationException($"{silo.Name} did not start: {result.Message}");
        return Log($"{silo.Name} started");
    }

    /// <summary>
    /// What pg_ctl restart -m fast does: SIGINT to the postmaster (its pid is in postmaster.pid), which ends every session,
    /// writes a shutdown checkpoint and exits; the resource then exits and is started again on the same port and data.
    /// Not Aspire's restart: DCP gives a process about 20 s to stop, and a shutdown checkpoint under load (fsync on) can
    /// take longer (seen in the chaos run: the stop failed and PostgreSQL kept running).
    /// </summary>
    public async Task<string> RestartPostgresAsync()
    {
        if (!layout.OwnPostgres) throw new InvalidOperationException("PostgreSQL is external (TicketFlow:Postgres): restart it where it runs");
        var clock = Stopwatch.StartNew();
        var postmaster = int.Parse(File.ReadLines(Path.Combine(layout.PostgresData, "postmaster.pid")).First());
        Signal(postmaster, SigInt);
        await WaitUntilAsync("postgres", IsStopped, ServerDeadline);
        var stopped = clock.Elapsed;
        var result = await commands.ExecuteCommandAsync("postgres", KnownResourceCommands.StartCommand);
        if (!result.Success) throw new InvalidOperationException($"PostgreSQL did not start again: {result.Message}");
        await WaitHealthyAsync("postgres", "PostgreSQL");
        return Log($"PostgreSQL restarted (fast shutdown {stopped.TotalSeconds:0.0} s) and accepting connections again {clock.Elapsed.TotalSeconds:0.0} s after the restart began");
    }

    public Task<string> RestartRedisAsync() => RestartServerAsync("redis", "Redis");

    public async Task<string> FlushRedisAsync()
    {
        await redis.FlushAllAsync();
        return Log("Redis flushed (FLUSHALL): Orleans' membership table is gone");
    }

    /// <summary>The silo's generations in Orleans' membership (each start is one), oldest first, with their status: Active, Dead, ...</summary>
    public Task<IReadOnlyList<(long Generation, string Status)>> SiloGenerationsAsync(int index) => redis.SiloGenerationsAsync(Silo(index).Port);

    /// <summary>How many silo generations Orleans' membership holds as Dead.</summary>
    public async Task<int> DeadCountAsync() => (await redis.MembershipAsync()).Count(r => r.Status == "Dead");

    public IReadOnlyList<ClusterProcess> Processes()
    {
        var list = new List<ClusterProcess>();
        foreach (var silo in layout.Silos) list.Add(Describe(silo.Name, "silo", silo.Port, silo.GatewayPort, silo.ManagementPort));
        foreach (var webfront in layout.WebFronts) list.Add(Describe(webfront.Name, "webfront", webfront.Port, null, webfront.ManagementPort));
        list.Add(Describe("redis", "redis", layout.RedisPort, null, null));
        if (layout.OwnPostgres) list.Add(Describe("postgres", "postgres", layout.PostgresPort, null, null));
        list.Add(Describe("nginx", "nginx", layout.PublicPort, null, null));
        return list;
    }

    public bool IsPaused(string name) => paused.ContainsKey(name);

    /// <summary>Forgets a pause of a process that exited (the supervisor starts a fresh one).</summary>
    public void Exited(string name) => paused.TryRemove(name, out _);

    private ClusterProcess Describe(string name, string kind, int? port, int? gateway, int? management)
    {
        var current = notifications.TryGetCurrentState(name, out var e) ? e : null;
        var stateText = current?.Snapshot.State?.Text;
        var state = current is null ? "stopped"
            : IsStopped(current) ? "stopped"
            : stateText == KnownResourceStates.Running ? (IsPaused(name) ? "paused" : "running")
            : "starting";
        return new ClusterProcess(name, kind, current is null ? null : Pid(current), state,
            current?.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, current?.Snapshot.ExitCode, port, gateway, management);
    }

    /// <summary>Aspire's restart (DCP stops the process, SIGTERM, and starts it again), then until its health check passes.</summary>
    private async Task<string> RestartServerAsync(string resource, string name)
    {
        var clock = Stopwatch.StartNew();
        var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand);
        if (!result.Success) throw new InvalidOperationException($"{name} restart failed: {result.Message}");
        await WaitHealthyAsync(resource, name);
        return Log($"{name} restarted and healthy again {clock.Elapsed.TotalSeconds:0.0} s after the restart began");
    }

    private async Task WaitHealthyAsync(string resource, string name)
    {
        using var deadline = new CancellationTokenSource(ServerDeadline);
        try
        {
            await notifications.WaitForResourceHealthyAsync(resource, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} is not healthy {ServerDeadline.TotalSeconds:0} s after its restart (logs: the dashboard, {layout.Logs})");
        }
    }

    private SiloPorts Silo(int index) =>
        layout.Silos.FirstOrDefault(s => s.Index == index) ?? throw new InvalidOperationException($"there is no silo {index} (1..{layout.Silos.Count})");

    private int? Pid(string name) => notifications.TryGetCurrentState(name, out var e) && !IsStopped(e) ? Pid(e) : null;

    public static int? Pid(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value && int.TryParse(value.ToString(), out var pid) ? pid : null;

    public static bool IsStopped(ResourceEvent e) => IsStopped(e.Snapshot.State?.Text);

    public static bool IsStopped(string? state) =>
        state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart;

    private async Task WaitUntilAsync(string name, Func<ResourceEvent, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await notifications.WaitForResourceAsync(name, condition, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name}: not there after {timeout.TotalSeconds:0} s");
        }
    }

    private string Log(string what)
    {
        logger.LogWarning("chaos: {What}", what);
        return what;
    }

    private static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
