namespace TicketFlow.Runtime.Hosting;

/// <summary>Settings shared by silos and clients of one cluster.</summary>
public sealed class ClusterOptions
{
    /// <summary>Partitions the membership table: silos and clients with the same id form one cluster.</summary>
    public string ClusterId { get; set; } = "ticketflow";

    /// <summary>Partitions grain state and reminders: keep it across deployments so state survives them.</summary>
    public string ServiceId { get; set; } = "ticketflow";

    /// <summary>A call without an answer after this long fails with <see cref="GrainCallTimeoutException"/> (outcome unknown). Orleans: 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the membership table is read when nothing asks for it sooner.</summary>
    public TimeSpan MembershipRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Connecting to a silo takes at most this long before the call counts as not delivered.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Settings of one silo. Defaults suit production; tests shorten the timeouts.</summary>
public sealed class SiloOptions
{
    /// <summary>How often a silo writes its heartbeat and checks others'.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose last heartbeat is older than this is declared dead and its grains move.</summary>
    public TimeSpan DeathTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An activation that handled no call for this long is deactivated. Orleans: 15 min.</summary>
    public TimeSpan IdleActivationAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many group-commit calls share one state write.</summary>
    public int MaxGroupCommitBatch { get; set; } = 4096;

    /// <summary>How often due reminders are read: the precision of reminder ticks.</summary>
    public TimeSpan ReminderPollPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Shortest reminder period accepted.</summary>
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A call is forwarded between silos at most this many times before it is sent back as not delivered.</summary>
    public int MaxForwardHops { get; set; } = 2;

    /// <summary>Graceful shutdown waits this long for activations to finish and write.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
