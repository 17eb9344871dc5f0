using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Counts the availability hub's live connections, in total and per client address, and decides whether one more may
/// come. A connection counts from the hub's OnConnected to its OnDisconnected (<see cref="HubAdmissionFilter"/>), so the
/// numbers are connections that exist; <see cref="HubAdmissionGate"/> asks <see cref="HasRoomFor"/> before a transport starts.
/// </summary>
public sealed class HubAdmission
{
    private readonly Dictionary<IPAddress, int> perAddress = [];
    private int total;

    public HubAdmission(IOptions<HubAdmissionOptions> options, ILogger<HubAdmission> logger)
    {
        var descriptors = DescriptorLimit.Read();
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        MaxConnections = options.Value.MaxConnections ?? HubAdmissionOptions.DefaultMaxConnections(descriptors, memory);
        MaxConnectionsPerAddress = options.Value.MaxConnectionsPerAddress;
        RetryAfterSeconds = options.Value.RetryAfterSeconds;
        logger.LogInformation("Availability hub admits {MaxConnections} connections, {PerAddress} per address (descriptor limit {Descriptors}, {MemoryMiB} MiB for the GC{Configured})",
            MaxConnections, MaxConnectionsPerAddress, descriptors?.ToString() ?? "unknown", memory >> 20, options.Value.MaxConnections is null ? "" : "; set by Hub:MaxConnections");
    }

    public int MaxConnections { get; }

    public int MaxConnectionsPerAddress { get; }

    public int RetryAfterSeconds { get; }

    public int Connections { get { lock (perAddress) return total; } }

    public bool HasRoomFor(IPAddress? client)
    {
        var key = KeyOf(client);
        lock (perAddress) return total < MaxConnections && perAddress.GetValueOrDefault(key) < MaxConnectionsPerAddress;
    }

    /// <summary>Counts a connection if there is room for it; every true must be matched by one <see cref="Release"/>.</summary>
    public bool TryAdmit(IPAddress? client)
    {
        var key = KeyOf(client);
        lock (perAddress)
        {
            var mine = perAddress.GetValueOrDefault(key);
            if (total >= MaxConnections || mine >= MaxConnectionsPerAddress) return false;
            perAddress[key] = mine + 1;
            total++;
            return true;
        }
    }

    public void Release(IPAddress? client)
    {
        var key = KeyOf(client);
        lock (perAddress)
        {
            var mine = perAddress.GetValueOrDefault(key);
            if (mine <= 0) return; // never below zero, whatever a caller does
            if (mine == 1) perAddress.Remove(key);
            else perAddress[key] = mine - 1;
            total--;
        }
    }

    /// <summary>An IPv4 address as itself; an IPv6 one by its /64, the block one subscriber usually gets whole.</summary>
    private static IPAddress KeyOf(IPAddress? client)
    {
        if (client is null) return IPAddress.None;
        if (client.IsIPv4MappedToIPv6) return client.MapToIPv4();
        if (client.AddressFamily != AddressFamily.InterNetworkV6) return client;
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
