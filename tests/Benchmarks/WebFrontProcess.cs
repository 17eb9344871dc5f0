using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TicketFlow.Testing;

namespace TicketFlow.Benchmarks;

/// <summary>A WebFront process in embedded mode (its own SQLite file, demo catalog) on a free loopback port, as an operator
/// runs it; rate limits raised so that one benchmark machine can play many fans.</summary>
public sealed class WebFrontProcess : IAsyncDisposable
{
    private readonly Process process;

    private WebFrontProcess(Process process, string folder, string baseUrl)
    {
        (this.process, Folder, BaseUrl) = (process, folder, baseUrl);
        // Bearer tokens, no cookie jar: a kept session cookie would make its calls need the pages' antiforgery token.
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), UseCookies = false }) { BaseAddress = new Uri(baseUrl) };
    }

    public string Folder { get; }
    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public int Pid => process.Id;

    /// <summary>What the process has written to standard output so far, line by line.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>CPU the process has used so far (user + system), from its own counters.</summary>
    public TimeSpan CpuTime()
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private const string ExperimentPrefix = "TICKETFLOW_BENCH_WEBFRONT_";

    public static async Task<WebFrontProcess> StartAsync(params (string Key, string Value)[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("tf-bench-webfront-").FullName;
        var port = LocalMachine.FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "TicketFlow.WebFront.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            Environment =
            {
                ["TICKETFLOW_DATA"] = Path.Combine(folder, "ticketflow.db"),
                ["Management__Port"] = LocalMachine.FreePort().ToString(),
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                ["RateLimits__Auth__PermitLimit"] = "100000",
                ["RateLimits__Register__PerIpPermitLimit"] = "100000",
                ["RateLimits__Join__PerUserPermitLimit"] = "100000",
                ["RateLimits__Join__PerIpPermitLimit"] = "100000",
            },
        };
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        // For experiments: TICKETFLOW_BENCH_WEBFRONT_<NAME>=value in the benchmark's environment sets <NAME> for the WebFront only.
        foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Select(e => ((string)e.Key, (string?)e.Value)).Where(e => e.Item1.StartsWith(ExperimentPrefix, StringComparison.Ordinal)))
            start.Environment[key[ExperimentPrefix.Length..]] = value;
        var process = Process.Start(start)!;
        var webFront = new WebFrontProcess(process, folder, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, line) => { if (line.Data is { } text) webFront.Output.Enqueue(text); };
        process.BeginOutputReadLine();
        _ = process.StandardError.ReadToEndAsync();
        await webFront.WaitUntilReadyAsync();
        return webFront;
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited) throw new InvalidOperationException($"WebFront exited with {process.ExitCode}.");
            try
            {
                using var response = await Http.GetAsync("/api/v1/events/evt_demo_050");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("WebFront did not start within 90 s.");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

}
