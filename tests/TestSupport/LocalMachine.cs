using System.Net;
using System.Net.Sockets;

namespace TicketFlow.Testing;

/// <summary>Where the tests run: the checkout they were built from, and free loopback ports.</summary>
public static class LocalMachine
{
    /// <summary>The repository root (the folder holding TicketFlow.sln) above the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>A loopback port nobody listens on now (the OS picks it; a server started next takes it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
