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

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "TicketFlow.sln"))) return folder.FullName;
        throw new InvalidOperationException("TicketFlow.sln not found above the test's folder.");
    }
}
