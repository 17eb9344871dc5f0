namespace TicketFlow.WebFront.Availability;

/// <summary>
/// How many live connections the availability hub admits (configuration section <c>Hub</c>). Every connection holds a
/// socket, so past the process's descriptor limit a crowd of tabs (or one attacker) would make Kestrel, the database
/// pool and the runtime fail at random; the hub refuses new connections long before that with 503 + Retry-After.
/// </summary>
public sealed class HubAdmissionOptions
{
    public const string Section = "Hub";

    /// <summary>Connections admitted at once. Default: derived from the descriptor limit (<see cref="DefaultMaxConnections"/>).</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Connections one client address (an IPv6 /64) may hold. Default 256: a NAT'd office's tabs, not one attacker's crowd.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 256;

    /// <summary>Seconds a refused client is told to wait (Retry-After); it polls <c>/availability</c> meanwhile. Default 10.</summary>
    public int RetryAfterSeconds { get; set; } = 10;

    /// <summary>
    /// A fifth of the descriptor limit (at least 512) stays for everything else (database and cluster sockets, API
    /// keep-alive connections, files); one descriptor per hub connection (negotiate's own connection is closed).
    /// Also at most one connection per 128 KiB of the memory the GC may use (a container's limit), about three times
    /// what an idle connection was measured to cost (docs/BENCHMARKS.md). Without a readable limit: 10,000.
    /// </summary>
    public static int DefaultMaxConnections(long? descriptorLimit, long availableMemoryBytes)
    {
        var byDescriptors = descriptorLimit is { } limit ? limit - Math.Max(512, limit / 5) : 10_000;
        var byMemory = availableMemoryBytes / (128 * 1024);
        return (int)Math.Clamp(Math.Min(byDescriptors, byMemory), 1, int.MaxValue);
    }
}
