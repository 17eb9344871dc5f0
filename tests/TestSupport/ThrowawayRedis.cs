using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace TicketFlow.Testing;

/// <summary>
/// A real redis-server (the Debian package) on a free loopback port, in a temporary folder, with append-only persistence
/// and a generated password, as a deployment runs it. Can be restarted on the same port and folder (its data survives,
/// as after a Redis restart) or flushed. Deleted on dispose.
/// </summary>
public sealed class ThrowawayRedis : IAsyncDisposable
{
    private readonly string folder;
    private Process? server;

    private ThrowawayRedis(string folder, int port, string password)
    {
        this.folder = folder;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password},abortConnect=false,connectTimeout=2000";

    public static async Task<ThrowawayRedis> StartAsync()
    {
        var executable = Executable() ?? throw new InvalidOperationException("redis-server not found: install it (apt-get install -y redis-server).");
        var redis = new ThrowawayRedis(Directory.CreateTempSubdirectory("tf-redis-").FullName, LocalMachine.FreePort(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        await redis.StartServerAsync(executable);
        return redis;
    }

    /// <summary>Stops the server (SIGKILL when <paramref name="crash"/>, else a clean shutdown that writes its files) and starts it again on the same port.</summary>
    public async Task RestartAsync(bool crash = false)
    {
        await StopServerAsync(crash);
        await StartServerAsync(Executable()!);
    }

    public Task StopAsync(bool crash = false) => StopServerAsync(crash);

    public Task StartAgainAsync() => StartServerAsync(Executable()!);

    /// <summary>Runs a redis-cli command against the server (e.g. <c>FLUSHALL</c>) and returns its output.</summary>
    public async Task<string> CliAsync(params string[] command)
    {
        var start = new ProcessStartInfo("redis-cli", ["-h", "127.0.0.1", "-p", Port.ToString(), "--no-auth-warning", "-a", Password, .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var cli = Process.Start(start)!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output.Trim();
    }

    private async Task StartServerAsync(string executable)
    {
        var start = new ProcessStartInfo(executable,
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", folder, "--appendonly", "yes", "--requirepass", Password, "--save", "", "--daemonize", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        server = Process.Start(start)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        await Eventually.True(() => Answers(), TimeSpan.FromSeconds(20), $"redis-server answers on port {Port}");
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            var ping = System.Text.Encoding.ASCII.GetBytes($"AUTH {Password}\r\nPING\r\n");
            stream.Write(ping);
            var buffer = new byte[64];
            var read = 0;
            stream.ReadTimeout = 1000;
            while (read < 10) read += stream.Read(buffer, read, buffer.Length - read);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains("+PONG");
        }
        catch (Exception error) when (error is SocketException or IOException)
        {
            return false;
        }
    }

    private async Task StopServerAsync(bool crash)
    {
        if (server is null || server.HasExited) return;
        if (crash) server.Kill();
        else await CliAsync("SHUTDOWN");
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        server.Dispose();
        server = null;
    }

    private static string? Executable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(crash: true); } catch (Exception error) when (error is InvalidOperationException or TimeoutException) { }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
