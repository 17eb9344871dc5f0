using System.Diagnostics;
using Npgsql;

namespace TicketFlow.Testing;

/// <summary>
/// A PostgreSQL server in a temporary folder, started from the installed binaries and deleted on dispose.
/// As root it runs as the <c>postgres</c> user (the server refuses to run as root).
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string folder;
    private readonly string bin;
    private readonly bool asPostgresUser;

    private ThrowawayPostgres(string folder, string bin, bool asPostgresUser, int port)
    {
        this.folder = folder;
        this.bin = bin;
        this.asPostgresUser = asPostgresUser;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=64;Timeout=15;Command Timeout=30";
    }

    public string ConnectionString { get; }

    /// <param name="durable">Keep fsync and synchronous commit on (benchmarks); tests turn them off for speed.</param>
    public static async Task<ThrowawayPostgres> StartAsync(bool durable = false)
    {
        var bin = Environment.GetEnvironmentVariable("TICKETFLOW_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
        if (!File.Exists(Path.Combine(bin, "initdb")))
            throw new InvalidOperationException($"PostgreSQL binaries not found in {bin}: install postgresql-15 or set TICKETFLOW_PG_BIN, or give a server in TICKETFLOW_TEST_PG.");
        var folder = LocalMachine.FreshTempFolder("tf-pg-");
        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser) await RunAsync("chown", ["-R", "postgres:postgres", folder]);
        var port = LocalMachine.FreePort();
        var server = new ThrowawayPostgres(folder, bin, asPostgresUser, port);
        await server.RunPgAsync("initdb", ["-D", Path.Combine(folder, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        var settings = durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        await server.RunPgAsync("pg_ctl", ["-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=600{settings}", "start"]);
        await server.WaitUntilReadyAsync();
        return server;
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }

    private Task RunPgAsync(string tool, string[] args) =>
        asPostgresUser ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args]) : RunAsync(Path.Combine(bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await RunPgAsync("pg_ctl", ["-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop"]); }
        catch (InvalidOperationException) { /* already gone */ }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
