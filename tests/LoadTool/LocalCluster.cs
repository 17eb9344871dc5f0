using System.Diagnostics;

namespace TicketFlow.LoadTool;

/// <summary>The local cluster as deploy/local-cluster.sh runs it: processes to list, kill, pause and restart.</summary>
public sealed class LocalCluster(string script, string? stateFolder = null)
{
    /// <param name="ManagementPort">Where the process serves /metrics (silos and WebFronts; loopback only).</param>
    public sealed record Member(string Name, int? Pid, int? Port, string State, int? ManagementPort);

    public async Task<IReadOnlyList<Member>> MembersAsync()
    {
        var output = await RunAsync("pids");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 2)
            .Select(parts => new Member(parts[0], int.TryParse(parts[1], out var pid) ? pid : null,
                parts.Length >= 3 && int.TryParse(parts[2], out var port) ? port : null, parts.Length >= 4 ? parts[3] : "running",
                parts.Length >= 5 && int.TryParse(parts[4], out var management) ? management : null))
            .ToList();
    }

    public async Task<IReadOnlyList<int>> RunningSilosAsync() =>
        (await MembersAsync()).Where(m => m.Name.StartsWith("silo-", StringComparison.Ordinal) && m.State == "running")
            .Select(m => int.Parse(m.Name["silo-".Length..])).ToList();

    /// <summary>How many silo generations Orleans' membership holds as Dead.</summary>
    public async Task<int> DeadSiloCountAsync() => int.Parse((await RunAsync("dead-count")).Trim());

    /// <summary>The silo's status in Orleans' membership (Active, Dead, ...; "none" before it first joined).</summary>
    public async Task<string> SiloStatusAsync(int silo) => (await RunAsync("silo-status", silo.ToString())).Trim();

    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (stateFolder is not null) start.Environment["TICKETFLOW_CLUSTER_DIR"] = stateFolder;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"local-cluster.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await errors).Trim()}");
        return await output;
    }
}

/// <summary>
/// Faults injected while a scenario runs: kill -9 a random silo every K seconds (restarted a moment later, as a supervisor
/// would), restart PostgreSQL once, and pause a silo until the cluster declares it dead (it must then find itself dead and exit).
/// One fault at a time: each ends (the silo back, PostgreSQL up) before the next begins.
/// </summary>
public sealed class Chaos(LocalCluster cluster, LoadOptions options, Recorder recorder)
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SelfStopDeadline = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan DeathDeadline = TimeSpan.FromSeconds(90); // the silos declare one dead in seconds (SiloHosting.FastFailureDetection); this is when to give up
    private readonly List<string> events = [];
    private readonly SemaphoreSlim oneAtATime = new(1, 1); // a kill must not pick the silo a pause is about to stop
    private readonly List<string> failures = [];
    private int siloFaults; // kills and pauses: each leaves one Dead generation in membership
    private int deadBefore; // Dead generations of earlier runs on the same cluster

    public IReadOnlyList<string> Events { get { lock (events) return events.ToList(); } }

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

    /// <summary>kill -9 every silo, then start them all again at once: the whole cluster restarted.</summary>
    private async Task KillAllSilosAsync()
    {
        var silos = await cluster.RunningSilosAsync();
        foreach (var silo in silos) await cluster.RunAsync("kill-silo", silo.ToString());
        lock (events) siloFaults += silos.Count;
        Note($"kill -9 every silo ({string.Join(", ", silos)})");
        var killed = Stopwatch.StartNew();
        await Task.WhenAll(silos.Select(RestartSiloAsync)); // each returns once it serves grains
        Note($"every silo restarted and serving grains {killed.Elapsed.TotalSeconds:0.0} s after the kill");
    }

    private Task RestartRedisAsync() => RestartServerAsync("Redis", "restart-redis");

    /// <summary>FLUSHALL, then supervise: every silo that exits because its membership is gone is started again.</summary>
    private async Task FlushRedisAsync()
    {
        var running = await cluster.RunningSilosAsync();
        await cluster.RunAsync("flush-redis");
        Note("FLUSHALL Redis (membership gone)");
        var flushed = Stopwatch.StartNew();
        var waiting = running.ToHashSet();
        while (waiting.Count > 0 && flushed.Elapsed < SelfStopDeadline)
        {
            var exited = waiting.Except(await cluster.RunningSilosAsync()).ToList();
            foreach (var silo in exited)
            {
                Note($"silo {silo} found its membership gone and exited {flushed.Elapsed.TotalSeconds:0.0} s after FLUSHALL");
                waiting.Remove(silo);
            }
            if (exited.Count > 0)
            {
                await Task.WhenAll(exited.Select(RestartSiloAsync));
                Note($"silo {string.Join(", ", exited)} restarted and serving grains {flushed.Elapsed.TotalSeconds:0.0} s after FLUSHALL");
            }
            await Task.Delay(250, CancellationToken.None);
        }
        foreach (var silo in waiting)
        {
            Fail($"silo {silo} still runs {SelfStopDeadline.TotalSeconds:0} s after FLUSHALL: it did not notice its membership was gone");
            await RestartSiloAsync(silo);
        }
    }

    private async Task KillLoopAsync(TimeSpan every, CancellationToken stop)
    {
        while (await DelayAsync(every, stop) && !recorder.Stopped) // faults end with the measured load
        {
            await Guarded("kill", async () =>
            {
                var silos = await cluster.RunningSilosAsync();
                if (silos.Count == 0) { Note("kill: no running silo"); return; }
                var silo = silos[Random.Shared.Next(silos.Count)];
                await cluster.RunAsync("kill-silo", silo.ToString());
                lock (events) siloFaults++;
                Note($"kill -9 silo {silo}");
                // Restarted only once declared dead (or after the deadline): a new generation on the same address would
                // supersede the old one and hide how long the failure detector took on its own.
                var killed = Stopwatch.StartNew();
                await DeclaredDeadAsync(silo, killed, "kill -9");
                if (killed.Elapsed < RestartDelay) await Task.Delay(RestartDelay - killed.Elapsed, CancellationToken.None);
                await RestartSiloAsync(silo);
                Note($"silo {silo} restarted");
            });
        }
    }

    private Task RestartPostgresAsync() => RestartServerAsync("PostgreSQL", "restart-postgres");

    private async Task RestartServerAsync(string name, string command)
    {
        Note($"{name} restart begins");
        var output = await cluster.RunAsync(command);
        Note($"{name} restarted " + output.Trim());
    }

    private async Task PauseSiloAsync()
    {
        var silos = await cluster.RunningSilosAsync();
        if (silos.Count == 0) { Note("pause: no running silo"); return; }
        var silo = silos[Random.Shared.Next(silos.Count)];
        await cluster.RunAsync("pause-silo", silo.ToString());
        lock (events) siloFaults++;
        Note($"SIGSTOP silo {silo}");
        // Paused at least --pause-for, and until the others have declared it dead (Orleans' failure detector: missed probes, votes).
        var paused = Stopwatch.StartNew();
        await DeclaredDeadAsync(silo, paused, "SIGSTOP");
        if (paused.Elapsed < options.PauseFor) await Task.Delay(options.PauseFor - paused.Elapsed, CancellationToken.None);
        await cluster.RunAsync("resume-silo", silo.ToString());
        Note($"SIGCONT silo {silo} after {paused.Elapsed.TotalSeconds:0} s");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < SelfStopDeadline)
        {
            var member = (await cluster.MembersAsync()).FirstOrDefault(m => m.Name == $"silo-{silo}");
            if (member is null || member.State == "stopped")
            {
                Note($"silo {silo} found itself declared dead and exited {clock.Elapsed.TotalSeconds:0.0} s after SIGCONT");
                await RestartSiloAsync(silo);
                Note($"silo {silo} restarted");
                return;
            }
            await Task.Delay(250, CancellationToken.None);
        }
        Fail($"silo {silo} still runs {SelfStopDeadline.TotalSeconds:0} s after SIGCONT: it did not notice it was declared dead");
        await RestartSiloAsync(silo);
    }

    /// <summary>Starts the silo again; if it does not come up (declared dead while joining), once more, as a supervisor would.</summary>
    private async Task RestartSiloAsync(int silo)
    {
        try
        {
            await cluster.RunAsync("restart-silo", silo.ToString());
        }
        catch (Exception failed)
        {
            Note($"silo {silo} did not come back ({failed.Message.Split('\n')[0]}); starting it again");
            await cluster.RunAsync("restart-silo", silo.ToString());
        }
    }

    /// <summary>Polls Orleans' membership until the silo is Dead; notes how long that took after the fault (or fails the run).</summary>
    private async Task DeclaredDeadAsync(int silo, Stopwatch since, string fault)
    {
        var declaredDead = false;
        while (since.Elapsed < DeathDeadline && !(declaredDead = await cluster.SiloStatusAsync(silo) == "Dead"))
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
        catch (Exception failure) { Fail($"{name}: {failure.Message}"); }
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

    private void Fail(string what)
    {
        Note("FAILED: " + what);
        lock (events) failures.Add(what);
    }
}
