using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.LoadTool;

/// <summary>
/// The local cluster as deploy/AppHost runs it, through its cluster.json: where nginx and PostgreSQL are, and the
/// loopback control endpoint that lists the processes and injects faults (kill -9, SIGSTOP, restarts, FLUSHALL).
/// </summary>
public sealed class LocalCluster : IDisposable
{
    /// <param name="State">running, paused, starting or stopped.</param>
    /// <param name="ManagementPort">Where the process serves /metrics and /health (silos and WebFronts; loopback only).</param>
    public sealed record Member(string Name, string Kind, int? Pid, string State, bool Healthy, int? Port, int? ManagementPort);

    /// <summary>cluster.json as the AppHost writes it (the fields the tool reads).</summary>
    public sealed record StateFile(string Url, string ControlUrl, string ControlToken, string Postgres, string ServiceId, IReadOnlyList<Member> Processes);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient control;
    private readonly HttpClient probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    public StateFile State { get; }

    private LocalCluster(StateFile state)
    {
        State = state;
        control = new HttpClient { BaseAddress = new Uri(state.ControlUrl), Timeout = TimeSpan.FromSeconds(90) };
        control.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", state.ControlToken);
    }

    /// <summary>The cluster of this state file, or null when there is none (no file: the AppHost is not running here).</summary>
    public static LocalCluster? Open(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        var state = JsonSerializer.Deserialize<StateFile>(File.ReadAllText(path), Json)
            ?? throw new UsageException($"{path} is not a cluster state file");
        return new LocalCluster(state);
    }

    public async Task<IReadOnlyList<Member>> MembersAsync() =>
        (await control.GetFromJsonAsync<StateFile>("/state", Json))!.Processes;

    public async Task<IReadOnlyList<int>> RunningSilosAsync() =>
        (await MembersAsync()).Where(m => m.Kind == "silo" && m.State == "running").Select(m => SiloIndex(m.Name)).ToList();

    /// <summary>How many silo generations Orleans' membership holds as Dead.</summary>
    public async Task<int> DeadSiloCountAsync() => (await control.GetFromJsonAsync<JsonElement>("/membership/dead", Json)).GetProperty("count").GetInt32();

    /// <summary>The silo's newest generation in Orleans' membership (each start is one) and its status; null before it first joined.</summary>
    public async Task<(long Generation, string Status)?> NewestGenerationAsync(int silo) =>
        (await GenerationsAsync(silo)).LastOrDefault() is { Status: not null } newest ? newest : null;

    /// <summary>The status of one generation of the silo (Active, Dead, ...).</summary>
    public async Task<string?> StatusAsync(int silo, long generation) =>
        (await GenerationsAsync(silo)).FirstOrDefault(g => g.Generation == generation).Status;

    private async Task<IReadOnlyList<(long Generation, string Status)>> GenerationsAsync(int silo) =>
        (await control.GetFromJsonAsync<JsonElement>($"/silos/{silo}/membership", Json)).GetProperty("generations").EnumerateArray()
            .Select(g => (g.GetProperty("generation").GetInt64(), g.GetProperty("status").GetString()!)).ToList();

    /// <summary>Injects a fault (<c>silos/2/kill</c>, <c>redis/flush</c>, ...); returns what the AppHost says it did.</summary>
    public async Task<string> FaultAsync(string path)
    {
        using var response = await control.PostAsync("/" + path, null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{path}: {(body.TryGetProperty("detail", out var detail) ? detail.GetString() : response.StatusCode.ToString())}");
        return body.GetProperty("message").GetString()!;
    }

    /// <summary>
    /// Until the silo runs as a process other than <paramref name="oldPid"/> and its /health/ready says it is Active in the
    /// cluster (started again by the AppHost's supervisor); false after <paramref name="deadline"/>.
    /// </summary>
    public async Task<bool> ServingAgainAsync(int silo, int? oldPid, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < deadline)
        {
            var member = await SiloAsync(silo);
            if (member.Pid is not null && member.Pid != oldPid && member.State == "running" && await ReadyAsync(member)) return true;
            await Task.Delay(100);
        }
        return false;
    }

    public async Task<Member> SiloAsync(int silo) => (await MembersAsync()).Single(m => m.Name == $"silo-{silo}");

    private async Task<bool> ReadyAsync(Member member)
    {
        try
        {
            using var response = await probe.GetAsync($"http://127.0.0.1:{member.ManagementPort}/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static int SiloIndex(string name) => int.Parse(name["silo-".Length..]);

    public void Dispose()
    {
        control.Dispose();
        probe.Dispose();
    }
}

/// <summary>
/// Faults injected while a scenario runs: kill -9 a random silo every K seconds, restart PostgreSQL or Redis once, FLUSHALL
/// Redis, kill every silo at once, and pause a silo until the cluster declares it dead (it must then find itself dead and
/// exit). The AppHost's supervisor starts every silo that exits again, as systemd or Kubernetes would; this measures how
/// long each step took. One fault at a time: each ends (the silo back, the server up) before the next begins.
/// </summary>
public sealed class Chaos(LocalCluster cluster, LoadOptions options, Recorder recorder)
{
    private static readonly TimeSpan SelfStopDeadline = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan ServingDeadline = TimeSpan.FromSeconds(120); // Orleans joins in seconds; a starved machine is slower
    private static readonly TimeSpan DeathDeadline = TimeSpan.FromSeconds(90); // the silos declare one dead in seconds (SiloHosting.FastFailureDetection); this is when to give up
    private readonly List<string> events = [];
    private readonly SemaphoreSlim oneAtATime = new(1, 1); // a kill must not pick the silo a pause is about to stop
    private readonly List<string> failures = [];
    private readonly List<(double At, string Fault)> faults = [];
    private int siloFaults; // kills and pauses: each leaves one Dead generation in membership
    private int deadBefore; // Dead generations of earlier runs on the same cluster

    public IReadOnlyList<string> Events { get { lock (events) return events.ToList(); } }

    /// <summary>When each fault began (seconds into the run), for the recovery table.</summary>
    public IReadOnlyList<(double At, string Fault)> Faults { get { lock (events) return faults.ToList(); } }

    /// <summary>Faults that did not go as the design says (a paused silo that did not stop itself).</summary>
    public IReadOnlyList<string> Failures { get { lock (events) return failures.ToList(); } }

    /// <summary>
    /// Every Dead generation in membership must be one this run killed or paused: any other is a healthy silo the failure
    /// detector evicted under load (probes too tight for the machine).
    /// </summary>
    public async Task CheckNoHealthySiloWasEvictedAsync()
    {
        var dead = await cluster.DeadSiloCountAsync() - deadBefore;
        int faulted;
        lock (events) faulted = siloFaults;
        Note($"membership: {dead} silo generation(s) declared dead during the run, {faulted} of them killed or paused by it");
        if (dead > faulted) Fail($"{dead - faulted} healthy silo(s) declared dead under load");
    }

    public async Task RunAsync(CancellationToken stop)
    {
        deadBefore = await cluster.DeadSiloCountAsync();
        await Task.WhenAll(
            options.KillEvery is { } every ? KillLoopAsync(every, stop) : Task.CompletedTask,
            options.RestartPostgresAt is { } at ? AtAsync(at, RestartPostgresAsync, stop) : Task.CompletedTask,
            options.PauseSiloAt is { } pauseAt ? AtAsync(pauseAt, PauseSiloAsync, stop) : Task.CompletedTask,
            options.RestartRedisAt is { } redisAt ? AtAsync(redisAt, RestartRedisAsync, stop) : Task.CompletedTask,
            options.FlushRedisAt is { } flushAt ? AtAsync(flushAt, FlushRedisAsync, stop) : Task.CompletedTask,
            options.KillAllAt is { } allAt ? AtAsync(allAt, KillAllSilosAsync, stop) : Task.CompletedTask);
    }

    /// <summary>kill -9 every silo: the supervisor starts them all again; until every one serves grains.</summary>
    private async Task KillAllSilosAsync()
    {
        var silos = await cluster.RunningSilosAsync();
        var pids = await PidsAsync(silos);
        Began("kill -9 every silo");
        Note(await cluster.FaultAsync("silos/kill-all"));
        lock (events) siloFaults += silos.Count;
        var killed = Stopwatch.StartNew();
        await Task.WhenAll(silos.Select(silo => ServingAgainAsync(silo, pids[silo], killed, "kill -9 of every silo")));
        Note($"every silo serving grains again {killed.Elapsed.TotalSeconds:0.0} s after the kill");
    }

    private Task RestartRedisAsync() => RestartServerAsync("Redis", "redis/restart");

    /// <summary>FLUSHALL: every silo must find its membership gone and exit (the supervisor starts it again).</summary>
    private async Task FlushRedisAsync()
    {
        var silos = await cluster.RunningSilosAsync();
        var pids = await PidsAsync(silos);
        Began("FLUSHALL Redis");
        Note(await cluster.FaultAsync("redis/flush"));
        var flushed = Stopwatch.StartNew();
        await Task.WhenAll(silos.Select(async silo =>
        {
            if (await ExitedAsync(silo, pids[silo], flushed))
                Note($"silo {silo} found its membership gone and exited {flushed.Elapsed.TotalSeconds:0.0} s after FLUSHALL");
            else
                Fail($"silo {silo} still runs {SelfStopDeadline.TotalSeconds:0} s after FLUSHALL: it did not notice its membership was gone");
            await ServingAgainAsync(silo, pids[silo], flushed, "FLUSHALL");
        }));
    }

    private async Task KillLoopAsync(TimeSpan every, CancellationToken stop)
    {
        while (await DelayAsync(every, stop) && !recorder.Stopped) // faults end with the measured load
        {
            await Guarded("kill", async () =>
            {
                if (await StrikeRandomSiloAsync("kill", silo => $"kill -9 silo {silo}", "kill -9") is { } killed)
                    await ServingAgainAsync(killed.Silo, killed.Pid, killed.Since, "kill -9");
            });
        }
    }

    private Task RestartPostgresAsync() => RestartServerAsync("PostgreSQL", "postgres/restart");

    private async Task RestartServerAsync(string name, string path)
    {
        Began($"restart {name}");
        Note($"{name} restart begins");
        Note(await cluster.FaultAsync(path));
    }

    private async Task PauseSiloAsync()
    {
        // Paused at least --pause-for, and until the others have declared it dead (Orleans' failure detector: missed probes, votes).
        if (await StrikeRandomSiloAsync("pause", silo => $"SIGSTOP silo {silo} (SIGCONT after {options.PauseFor.TotalSeconds:0} s)", "SIGSTOP")
            is not { } struck) return;
        var (silo, pid, paused) = struck;
        if (paused.Elapsed < options.PauseFor) await Task.Delay(options.PauseFor - paused.Elapsed, CancellationToken.None);
        Note(await cluster.FaultAsync($"silos/{silo}/resume"));
        var resumed = Stopwatch.StartNew();
        if (await ExitedAsync(silo, pid, resumed))
        {
            Note($"silo {silo} found itself declared dead and exited {resumed.Elapsed.TotalSeconds:0.0} s after SIGCONT");
            await ServingAgainAsync(silo, pid, resumed, "SIGCONT");
        }
        else
        {
            Fail($"silo {silo} still runs {SelfStopDeadline.TotalSeconds:0} s after SIGCONT: it did not notice it was declared dead");
            Note(await cluster.FaultAsync($"silos/{silo}/kill"));
            await ServingAgainAsync(silo, pid, resumed, "kill -9 after a failed self-stop");
        }
    }

    /// <summary>
    /// kill -9 or SIGSTOP (<paramref name="action"/>: kill, pause) a random running silo, then until membership declares the
    /// generation that ran dead; null when no silo runs.
    /// </summary>
    private async Task<(int Silo, int? Pid, Stopwatch Since)?> StrikeRandomSiloAsync(string action, Func<int, string> fault, string label)
    {
        var silos = await cluster.RunningSilosAsync();
        if (silos.Count == 0) { Note($"{action}: no running silo"); return null; }
        var silo = silos[Random.Shared.Next(silos.Count)];
        var pid = (await cluster.SiloAsync(silo)).Pid;
        var generation = await cluster.NewestGenerationAsync(silo);
        Began(fault(silo));
        Note(await cluster.FaultAsync($"silos/{silo}/{action}"));
        lock (events) siloFaults++;
        var since = Stopwatch.StartNew();
        await DeclaredDeadAsync(silo, generation, since, label);
        return (silo, pid, since);
    }

    /// <summary>Until the silo's process is no longer <paramref name="pid"/> (it exited; the supervisor may have started another).</summary>
    private async Task<bool> ExitedAsync(int silo, int? pid, Stopwatch since)
    {
        while (since.Elapsed < SelfStopDeadline)
        {
            var member = await cluster.SiloAsync(silo);
            if (member.State == "stopped" || member.Pid != pid) return true;
            await Task.Delay(100, CancellationToken.None);
        }
        return false;
    }

    /// <summary>Until the supervisor has started the silo again and it serves grains; if it never does, the run fails.</summary>
    private async Task ServingAgainAsync(int silo, int? oldPid, Stopwatch since, string fault)
    {
        if (await cluster.ServingAgainAsync(silo, oldPid, ServingDeadline))
            Note($"silo {silo} started again by the supervisor and serving grains {since.Elapsed.TotalSeconds:0.0} s after {fault}");
        else
            Fail($"silo {silo} is not serving grains {ServingDeadline.TotalSeconds:0} s after {fault}");
    }

    private async Task<Dictionary<int, int?>> PidsAsync(IEnumerable<int> silos)
    {
        var members = await cluster.MembersAsync();
        return silos.ToDictionary(s => s, s => members.Single(m => m.Name == $"silo-{s}").Pid);
    }

    /// <summary>
    /// Polls Orleans' membership until the silo's generation that was running at the fault is Dead (the supervisor may have
    /// started a new one by then); notes how long that took after the fault (or fails the run).
    /// </summary>
    private async Task DeclaredDeadAsync(int silo, (long Generation, string Status)? running, Stopwatch since, string fault)
    {
        if (running is not { Generation: var generation })
        {
            Fail($"silo {silo} had no membership row before {fault}");
            return;
        }
        var declaredDead = false;
        while (since.Elapsed < DeathDeadline && !(declaredDead = await cluster.StatusAsync(silo, generation) == "Dead"))
            await Task.Delay(100, CancellationToken.None);
        if (declaredDead) Note($"silo {silo} declared dead by the cluster {since.Elapsed.TotalSeconds:0.0} s after {fault}");
        else Fail($"silo {silo} was not declared dead within {DeathDeadline.TotalSeconds:0} s of {fault}");
    }

    private async Task AtAsync(TimeSpan at, Func<Task> fault, CancellationToken stop)
    {
        if (await DelayAsync(at, stop)) await Guarded(fault.Method.Name, fault);
        else Fail($"{fault.Method.Name} was scheduled at {at.TotalSeconds:0} s but the run ended first: choose a longer run");
    }

    private async Task Guarded(string name, Func<Task> fault)
    {
        await oneAtATime.WaitAsync();
        try { await fault(); }
        catch (Exception failure) when (failure is InvalidOperationException or HttpRequestException or TaskCanceledException)
        {
            Fail($"{name}: {failure.Message}");
        }
        finally { oneAtATime.Release(); }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try { await Task.Delay(delay, stop); return true; }
        catch (OperationCanceledException) { return false; }
    }

    private void Note(string what)
    {
        var line = $"{recorder.Elapsed.TotalSeconds,6:0.0}s  {what}";
        lock (events) events.Add(line);
        Console.Error.WriteLine($"[chaos] {line}");
    }

    private void Began(string fault)
    {
        lock (events) faults.Add((recorder.Elapsed.TotalSeconds, fault));
    }

    private void Fail(string what)
    {
        Note("FAILED: " + what);
        lock (events) failures.Add(what);
    }
}
