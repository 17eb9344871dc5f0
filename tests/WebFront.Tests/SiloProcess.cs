using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TicketFlow.Testing;
using System.Text;

namespace TicketFlow.WebFront.Tests;

/// <summary>The Silo executable as an operator runs it (configured by environment), for tests that need real processes.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private readonly IReadOnlyDictionary<string, string> environment;

    private SiloProcess(Process process, IReadOnlyDictionary<string, string> environment, int siloPort, int gatewayPort)
    {
        this.process = process;
        this.environment = environment;
        (SiloPort, GatewayPort) = (siloPort, gatewayPort);
        process.OutputDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    /// <summary>Where other silos connect (Orleans' silo-to-silo port), on loopback.</summary>
    public int SiloPort { get; }

    /// <summary>Where clients connect (the gateway), on loopback.</summary>
    public int GatewayPort { get; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>Starts a silo on free ports with <paramref name="environment"/> (connection strings, cluster ids) on top.</summary>
    public static SiloProcess Start(IReadOnlyDictionary<string, string> environment) => Start(environment, LocalMachine.FreePort(), LocalMachine.FreePort());

    /// <summary>The same silo started again after it exited, on the same ports, as a supervisor restarts one.</summary>
    public SiloProcess StartAgain() => Start(environment, SiloPort, GatewayPort);

    private static SiloProcess Start(IReadOnlyDictionary<string, string> environment, int siloPort, int gatewayPort)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "TicketFlow.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            Environment =
            {
                ["Silo__Port"] = siloPort.ToString(),
                ["Silo__GatewayPort"] = gatewayPort.ToString(),
                ["Management__Port"] = LocalMachine.FreePort().ToString(),
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            },
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return new SiloProcess(Process.Start(start)!, environment, siloPort, gatewayPort);
    }

    /// <summary>Polls until the silo says it serves grains (it has joined the cluster).</summary>
    public Task ServingAsync() => Testing.Eventually.True(() => HasExited ? throw new InvalidOperationException($"The silo exited ({ExitCode}):\n{Output}") : Output.Contains("is serving grains"),
        TimeSpan.FromSeconds(60), "the silo process joins the cluster");

    /// <summary>kill -9: no shutdown at all; the cluster finds out through missed probes.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a supervisor stops a process: the silo leaves the cluster gracefully.</summary>
    public async Task<int> TerminateAsync()
    {
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }


    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) await KillAsync();
        process.Dispose();
    }
}
