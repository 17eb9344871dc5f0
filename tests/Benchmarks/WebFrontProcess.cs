using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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

    /// <summary>CPU the process has used so far (user + system), from its own counters.</summary>
    public TimeSpan CpuTime()
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    public static async Task<WebFrontProcess> StartAsync(params (string Key, string Value)[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("tf-bench-webfront-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "TicketFlow.WebFront.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            Environment =
            {
                ["TICKETFLOW_DATA"] = Path.Combine(folder, "ticketflow.db"),
                ["Management__Port"] = FreePort().ToString(),
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                ["RateLimits__Auth__PermitLimit"] = "100000",
                ["RateLimits__Join__PerUserPermitLimit"] = "100000",
                ["RateLimits__Join__PerIpPermitLimit"] = "100000",
            },
        };
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var webFront = new WebFrontProcess(process, folder, $"http://127.0.0.1:{port}");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
