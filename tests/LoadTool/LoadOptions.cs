using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketFlow.LoadTool;

/// <summary>Command-line options. Where to send load and which database to audit default to the local cluster's (its <c>cluster.json</c>).</summary>
public sealed class LoadOptions
{
    public const string Usage = """
        ticketflow-load <scenario|audit> [options]

        Scenarios:
          browse     catalog and availability reads
          onsale     N buyers on one high-demand event: waiting room, waves, holds, checkout, abandons, retries, double-clicks
          hot-tier   maximum hold rate on one tier (with --baseline: the row-lock mechanism on the same PostgreSQL)
          audit      check the database and the gateway's store; exit 1 if any check fails

        Target (default: the running local cluster, `dotnet run --project deploy/AppHost`):
          --url URL               WebFront or nginx base address
          --postgres CONNSTRING   the cluster's database (tokens, audit)
          --service-id ID         the cluster's service id (journal rows)            [ticketflow-local]
          --cluster-state FILE    the local cluster's cluster.json: its URL, database and control endpoint (chaos)
                                                                                     [deploy/.local-cluster/cluster.json]
        Load shape:
          --users N               onsale buyers                                      [20000]
          --seats N               onsale seats, split over --tiers                   [5000]
          --tiers N                                                                  [3]
          --rate R                open loop: arrivals (onsale) or requests (browse, hot-tier) per second
          --concurrency C         closed loop: at most C buyers or requests in flight [onsale: unlimited, else 64]
          --duration S            browse and hot-tier run time in seconds            [20]
          --max-wait S            an onsale buyer leaves the queue after S seconds   [600]
          --wave-size N --wave-interval S --max-active N    waiting-room settings    [500, 1, 2000]
          --hold-seconds S        hold lifetime of the onsale event (60..1800)       [60]
          --reserved              onsale with a seat map: buyers load the seat map status, click seats that were free in it,
                                  fall back to best available (together or not) on seat_taken; the audit checks every seat
          --declines P --payment-errors P --abandon P --retries P --double-clicks P   buyer behaviour shares [0.05 0.03 0.1 0.05 0.05]
        Chaos (local cluster only; the AppHost's supervisor starts every silo that exits again):
          --kill-every K          kill -9 a random silo every K seconds
          --restart-postgres-at S restart PostgreSQL once, S seconds into the run
          --restart-redis-at S    restart Redis once (its append-only file keeps membership), S seconds into the run
          --kill-all-at S         kill -9 every silo at once, S seconds into the run
          --flush-redis-at S      FLUSHALL Redis once, S seconds into the run: the silos find their membership gone and
                                  exit (code 75)
          --pause-silo-at S       SIGSTOP a silo S seconds in until the cluster declares it dead (at least --pause-for, default
                                  15 s), then SIGCONT it: it must find itself dead and exit
        Audit:
          --hold-slack S          an active hold may outlive its expiry by this much  [60]
          --settle S              keep re-checking failing checks for up to S seconds [60]
        Output:
          --out DIR               results.json and chart.svg                           [loadtool-results/<scenario>-<time>]
          --baseline              hot-tier: also run the row-lock baseline (1, 4, 16 and 64 clients; its best counts)
        """;

    public required string Command { get; init; }
    public Uri Url { get; init; } = new("http://127.0.0.1:8080");
    public string? Postgres { get; init; }
    public string ServiceId { get; init; } = "ticketflow-local";
    /// <summary>The local cluster's cluster.json, when one was found or given.</summary>
    public string? ClusterState { get; init; }

    /// <summary>The target is the local cluster (no --url), so its WebFronts' own histograms can be read.</summary>
    public bool TargetsLocalCluster { get; init; }
    public int Users { get; init; } = 20_000;
    public int Seats { get; init; } = 5_000;
    public int Tiers { get; init; } = 3;
    public double? Rate { get; init; }
    public int? Concurrency { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(10);
    public int WaveSize { get; init; } = 500;
    public int WaveIntervalSeconds { get; init; } = 1;
    public int MaxActive { get; init; } = 2000;
    public int HoldSeconds { get; init; } = 60;
    public double Declines { get; init; } = 0.05;
    public double PaymentErrors { get; init; } = 0.03;
    public double Abandons { get; init; } = 0.10;
    public double Retries { get; init; } = 0.05;
    public double DoubleClicks { get; init; } = 0.05;
    public TimeSpan? KillEvery { get; init; }
    public TimeSpan? RestartPostgresAt { get; init; }
    public TimeSpan? PauseSiloAt { get; init; }
    public TimeSpan? RestartRedisAt { get; init; }
    public TimeSpan? FlushRedisAt { get; init; }
    public TimeSpan? KillAllAt { get; init; }
    public TimeSpan PauseFor { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan HoldSlack { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(60);
    public string? OutputFolder { get; init; }
    public bool Baseline { get; init; }

    /// <summary>onsale: reserved tiers on a seat map the tool creates, bought seat by seat.</summary>
    public bool Reserved { get; init; }

    public bool HasChaos => KillEvery is not null || RestartPostgresAt is not null || PauseSiloAt is not null || RestartRedisAt is not null || FlushRedisAt is not null || KillAllAt is not null;

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help") throw new UsageException(null);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{name}'");
            if (name is "--baseline" or "--reserved") flags.Add(name);
            else if (i + 1 < args.Length) values[name] = args[++i];
            else throw new UsageException($"{name} needs a value");
        }
        var known = new HashSet<string>(Regex.Matches(Usage, "--[a-z-]+").Select(m => m.Value), StringComparer.Ordinal);
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown) throw new UsageException($"unknown option {unknown}");
        if (args[0] is not ("browse" or "onsale" or "hot-tier" or "audit")) throw new UsageException($"unknown scenario '{args[0]}'");

        var statePath = values.GetValueOrDefault("--cluster-state") ?? FindClusterState();
        if (values.ContainsKey("--cluster-state") && !File.Exists(statePath)) throw new UsageException($"no cluster state file {statePath}: is the AppHost running?");
        using var cluster = LocalCluster.Open(statePath);
        string? Value(string name) => values.GetValueOrDefault(name);
        int Int(string name, int fallback, int min = 1) => Value(name) is { } v
            ? int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n >= min ? n : throw new UsageException($"{name} takes a whole number ≥ {min}")
            : fallback;
        double Share(string name, double fallback) => Value(name) is { } v
            ? double.TryParse(v, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1 ? p : throw new UsageException($"{name} takes a share between 0 and 1")
            : fallback;
        TimeSpan? Seconds(string name) => Value(name) is { } v
            ? double.TryParse(v, CultureInfo.InvariantCulture, out var s) && s > 0 ? TimeSpan.FromSeconds(s) : throw new UsageException($"{name} takes seconds > 0")
            : null;

        var url = Value("--url") ?? cluster?.State.Url ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) throw new UsageException("--url must be an absolute URL");
        var options = new LoadOptions
        {
            Command = args[0],
            Url = uri,
            Postgres = Value("--postgres") ?? cluster?.State.Postgres ?? Environment.GetEnvironmentVariable("TICKETFLOW_POSTGRES"),
            ServiceId = Value("--service-id") ?? cluster?.State.ServiceId ?? "ticketflow-local",
            ClusterState = cluster is null ? null : statePath,
            TargetsLocalCluster = Value("--url") is null && cluster is not null,
            Users = Int("--users", 20_000),
            Seats = Int("--seats", 5_000),
            Tiers = Int("--tiers", 3),
            Rate = Value("--rate") is { } r ? double.TryParse(r, CultureInfo.InvariantCulture, out var rate) && rate > 0 ? rate : throw new UsageException("--rate takes a number > 0") : null,
            Concurrency = Value("--concurrency") is null ? null : Int("--concurrency", 64),
            Duration = Seconds("--duration") ?? TimeSpan.FromSeconds(20),
            MaxWait = Seconds("--max-wait") ?? TimeSpan.FromMinutes(10),
            WaveSize = Int("--wave-size", 500),
            WaveIntervalSeconds = Int("--wave-interval", 1),
            MaxActive = Int("--max-active", 2000),
            HoldSeconds = Int("--hold-seconds", 60, min: 60),
            Declines = Share("--declines", 0.05),
            PaymentErrors = Share("--payment-errors", 0.03),
            Abandons = Share("--abandon", 0.10),
            Retries = Share("--retries", 0.05),
            DoubleClicks = Share("--double-clicks", 0.05),
            KillEvery = Seconds("--kill-every"),
            RestartPostgresAt = Seconds("--restart-postgres-at"),
            PauseSiloAt = Seconds("--pause-silo-at"),
            RestartRedisAt = Seconds("--restart-redis-at"),
            FlushRedisAt = Seconds("--flush-redis-at"),
            KillAllAt = Seconds("--kill-all-at"),
            PauseFor = Seconds("--pause-for") ?? TimeSpan.FromSeconds(15),
            HoldSlack = Seconds("--hold-slack") ?? TimeSpan.FromSeconds(60),
            Settle = Seconds("--settle") ?? TimeSpan.FromSeconds(60),
            OutputFolder = Value("--out"),
            Baseline = flags.Contains("--baseline"),
            Reserved = flags.Contains("--reserved"),
        };
        if (options.Tiers > options.Seats) throw new UsageException("--tiers cannot exceed --seats");
        if (options.HasChaos && cluster is null) throw new UsageException("chaos options need the local cluster (dotnet run --project deploy/AppHost) and its cluster.json");
        return options;
    }

    /// <summary>deploy/.local-cluster/cluster.json, looked for upwards from the working folder and from the tool's own folder.</summary>
    private static string? FindClusterState()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "deploy", ".local-cluster", "cluster.json");
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}

public sealed class UsageException(string? problem) : Exception(problem ?? "usage");
