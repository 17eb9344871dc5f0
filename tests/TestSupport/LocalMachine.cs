using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TicketFlow.Testing;

/// <summary>Where the tests run: the checkout they were built from, and free loopback ports.</summary>
public static class LocalMachine
{
    /// <summary>The repository root (the folder holding TicketFlow.sln) above the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// A loopback port nobody listens on now, for a server started next. It is drawn at random from below the kernel's
    /// ephemeral range (<c>ip_local_port_range</c>, 32768–60999 by default): a port the OS hands out for "any port" is also
    /// the one it gives the next outgoing connection's local end (a client of PostgreSQL, Redis, the browser), which then
    /// holds it when the server binds. Ports handed out by this process are not handed out again.
    /// </summary>
    public static int FreePort()
    {
        var (low, high) = PortRange;
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(low, high);
                if (!HandedOut.Add(port)) continue;
                if (NobodyListens(port)) return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port in {low}–{high} after 1000 tries.");
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>The ports to draw from: 20000 up to the start of the ephemeral range, or above its end when that is too narrow.</summary>
    private static (int Low, int High) PortRange { get; } = ReadPortRange();

    private static (int, int) ReadPortRange()
    {
        var (first, last) = (32768, 60999);
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            (first, last) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { /* not Linux: the default */ }
        return first - 20000 >= 2000 ? (20000, first) : (last + 1, 65536);
    }

    private static bool NobodyListens(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>
    /// A new folder <paramref name="prefix"/>… in the temp folder, after removing earlier ones of that prefix left by test
    /// processes that were stopped before their exit handlers finished (the test host is ended without waiting for them):
    /// any such folder untouched for an hour and holding no running server (no <c>data/postmaster.pid</c>).
    /// </summary>
    public static string FreshTempFolder(string prefix)
    {
        var stale = DateTime.UtcNow - TimeSpan.FromHours(1);
        foreach (var old in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            if (Directory.GetLastWriteTimeUtc(old) > stale || File.Exists(Path.Combine(old, "data", "postmaster.pid"))) continue;
            try { Directory.Delete(old, recursive: true); }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException) { /* another user's, or in use: leave it */ }
        }
        return Directory.CreateTempSubdirectory(prefix).FullName;
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "TicketFlow.sln"))) return folder.FullName;
        throw new InvalidOperationException("TicketFlow.sln not found above the test's folder.");
    }
}
