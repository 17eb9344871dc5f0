namespace TicketFlow.AppHost;

/// <summary>
/// What the local cluster runs (configuration section <c>TicketFlow</c>: appsettings.json, environment
/// <c>TicketFlow__Silos=5</c>, or arguments <c>-- --TicketFlow:Silos 5</c>).
/// </summary>
public sealed class ClusterOptions
{
    public int Silos { get; set; } = 3;
    public int WebFronts { get; set; } = 2;

    /// <summary>nginx's public port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>An external PostgreSQL (Npgsql connection string); unset: a throwaway one in the state folder.</summary>
    public string? Postgres { get; set; }

    /// <summary>Where certificates, secrets, data, logs and <c>cluster.json</c> live; relative paths are under the repository.</summary>
    public string StateFolder { get; set; } = "deploy/.local-cluster";

    public string ClusterId { get; set; } = "ticketflow-local";
    public string ServiceId { get; set; } = "ticketflow-local";

    /// <summary>
    /// How long the supervisor waits before starting a silo or WebFront that crashed (exit code other than 0). 0.5 s was
    /// tried in the chaos run: the new process then competes for the CPU while the others take over the dead one's
    /// grains, and a restarted silo was declared dead while joining twice in a row.
    /// </summary>
    public double RestartDelaySeconds { get; set; } = 2;

    /// <summary>Niceness (0-19) of every process the cluster runs: tests that share the machine run it at 10.</summary>
    public int Nice { get; set; }

    /// <summary>
    /// How many nice levels a starting silo runs ahead of the rest until it is healthy (0-10): on a machine where the web
    /// tier and the load generator take every core, a restarted silo otherwise waits for CPU to start (19 s before Orleans
    /// even began, at equal priority under the on-sale; measured). Only while starting: a serving silo competes like any
    /// other process, so the web tier is not left the leftovers. Levels below 0 need root (CAP_SYS_NICE); without it the
    /// silos start at <see cref="Nice"/>.
    /// </summary>
    public int SiloPriority { get; set; } = 5;

    /// <summary>Extra environment for every silo and WebFront, e.g. <c>TicketFlow:Environment:Logging__LogLevel__Default=Warning</c>.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    public string PostgresBin { get; set; } = "/usr/lib/postgresql/15/bin";

    /// <summary>
    /// Logs, traces and metrics of every silo and WebFront to the Aspire dashboard (OTLP). Off where no dashboard runs
    /// (Aspire.Hosting.Testing) and for throughput runs: every request and grain call is traced.
    /// </summary>
    public bool Telemetry { get; set; } = true;

    /// <summary>
    /// Publish the silo and the WebFront as ReadyToRun images into the state folder at start (84 s the first time here,
    /// then incremental) and run those: a silo starts with 2.2 s of CPU instead of 3.3 s (measured idle here), and
    /// a whole cluster killed under the on-sale served again 15.8 s after the kill instead of 21.6 s (with
    /// <see cref="SiloPriority"/>, docs/BENCHMARKS.md). False: the build output runs (tests that only read the model).
    /// </summary>
    public bool ReadyToRun { get; set; } = true;

    public static ClusterOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection("TicketFlow").Get<ClusterOptions>() ?? new();
        string[] problems =
        [
            .. options.Silos is < 1 or > 20 ? ["TicketFlow:Silos takes 1 to 20"] : Array.Empty<string>(),
            .. options.WebFronts is < 1 or > 20 ? ["TicketFlow:WebFronts takes 1 to 20"] : Array.Empty<string>(),
            .. options.Port is < 0 or > 65535 ? ["TicketFlow:Port takes a TCP port (0: any free one)"] : Array.Empty<string>(),
            .. options.Nice is < 0 or > 19 ? ["TicketFlow:Nice takes 0 to 19"] : Array.Empty<string>(),
            .. options.SiloPriority is < 0 or > 10 ? ["TicketFlow:SiloPriority takes 0 to 10"] : Array.Empty<string>(),
            .. options.RestartDelaySeconds is < 0 or > 600 ? ["TicketFlow:RestartDelaySeconds takes 0 to 600"] : Array.Empty<string>(),
        ];
        if (problems.Length > 0) throw new InvalidOperationException("Local cluster settings: " + string.Join("; ", problems));
        return options;
    }
}
