using System.Text.Json;

namespace TicketFlow.AppHost;

/// <summary>
/// What systemd's <c>Restart=on-failure</c> or a Kubernetes pod does, which Aspire does not: a silo or WebFront that exits
/// with a code other than 0 (kill -9, a silo that finds itself declared dead, one whose membership row is gone: exit 75)
/// is started again after <see cref="ClusterOptions.RestartDelaySeconds"/>, doubling up to 30 s while it keeps crashing
/// within 10 s of its start. An exit 0 is a stop someone asked for (the dashboard's Stop): it stays stopped. It also keeps
/// cluster.json current (pids change with every start), gives new processes <see cref="ClusterOptions.Nice"/>, and drops a
/// silo that started ahead of the rest (<see cref="ClusterOptions.SiloPriority"/>) back to it once the silo is healthy.
/// </summary>
public sealed class Supervisor(
    ClusterLayout layout, ResourceNotificationService notifications, ResourceCommandService commands, ClusterFaults faults,
    IHostApplicationLifetime lifetime, ILogger<Supervisor> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CrashLoopWindow = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Dictionary<string, (int? Pid, string? State, bool Healthy)> seen = [];
    private readonly Dictionary<string, TimeSpan> delays = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WriteStateFile();
        await foreach (var e in notifications.WatchAsync(stoppingToken))
        {
            var name = e.Resource.Name;
            var pid = ClusterFaults.Pid(e);
            var state = e.Snapshot.State?.Text;
            var healthy = e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy;
            seen.TryGetValue(name, out var before);
            if (before == (pid, state, healthy)) continue;
            seen[name] = (pid, state, healthy);
            // Silos start through nice(1) ahead of the rest and drop back once healthy; the others get Nice (if any) at start.
            if (pid is { } started && pid != before.Pid && layout.Options.Nice > 0 && !IsSilo(name))
                _ = ProcessPriority.SettleAsync(started, layout.Options.Nice, logger, stoppingToken);
            if (pid is { } serving && healthy && !before.Healthy && IsSilo(name) && layout.Options.SiloPriority > 0)
                _ = ProcessPriority.SettleAsync(serving, layout.Options.Nice, logger, stoppingToken);
            if (ClusterFaults.IsStopped(e) && !ClusterFaults.IsStopped(before.State) && before.State is not null)
            {
                faults.Exited(name);
                if (IsSupervised(name) && e.Snapshot.ExitCode is not 0 && !lifetime.ApplicationStopping.IsCancellationRequested)
                    _ = RestartAsync(name, e.Snapshot.ExitCode, e.Snapshot.StartTimeStamp, stoppingToken);
            }
            WriteStateFile();
        }
    }

    private async Task RestartAsync(string name, int? exitCode, DateTime? startedAt, CancellationToken stoppingToken)
    {
        var configured = TimeSpan.FromSeconds(layout.Options.RestartDelaySeconds);
        var crashedSoon = startedAt is { } at && DateTime.UtcNow - at.ToUniversalTime() < CrashLoopWindow;
        var delay = crashedSoon && delays.TryGetValue(name, out var last) ? TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, Math.Max(last.Ticks * 2, configured.Ticks))) : configured;
        delays[name] = delay;
        logger.LogWarning("{Name} exited with code {ExitCode}: starting it again in {Delay:0.0} s", name, exitCode, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, stoppingToken);
            var result = await commands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success) logger.LogError("{Name} did not start again: {Message}", name, result.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool IsSupervised(string name) => IsSilo(name) || name.StartsWith("webfront-", StringComparison.Ordinal);

    private static bool IsSilo(string name) => name.StartsWith("silo-", StringComparison.Ordinal);

    /// <summary>cluster.json (mode 600: it holds the control token and the database's connection string), replaced atomically.</summary>
    private void WriteStateFile()
    {
        var document = ClusterStateDocument.From(layout, faults.Processes());
        var temporary = layout.StateFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, Json));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, layout.StateFile, overwrite: true);
    }
}

/// <summary>cluster.json: where the cluster is and how to reach its control endpoint (the load tool's <c>--cluster-state</c>).</summary>
public sealed record ClusterStateDocument(
    string Url, string ControlUrl, string ControlToken, string Postgres, bool OwnPostgres, string ClusterId, string ServiceId,
    string StateFolder, IReadOnlyList<ClusterProcess> Processes)
{
    public static ClusterStateDocument From(ClusterLayout layout, IReadOnlyList<ClusterProcess> processes) => new(
        layout.PublicUrl, layout.ControlUrl, layout.ControlToken, layout.PostgresConnectionString, layout.OwnPostgres,
        layout.Options.ClusterId, layout.Options.ServiceId, layout.State, processes);
}
