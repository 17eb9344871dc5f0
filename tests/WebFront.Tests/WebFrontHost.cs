using Microsoft.AspNetCore.Mvc.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests;

/// <summary>WebFront in embedded mode on a throwaway SQLite file, with optional extra settings.</summary>
public sealed class WebFrontHost : IAsyncDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-webfront-").FullName;

    private (string Key, string Value)[] settings;

    public WebFrontHost(params (string Key, string Value)[] settings)
    {
        this.settings = settings;
        Factory = Create();
    }

    public WebApplicationFactory<Program> Factory { get; private set; }

    /// <summary>Stops the process-equivalent and starts a new one on the same SQLite file (and signing key beside it),
    /// with <paramref name="changed"/> settings replacing the old values.</summary>
    public async Task RestartAsync(params (string Key, string Value)[] changed)
    {
        settings = [.. settings.Where(s => changed.All(c => c.Key != s.Key)), .. changed];
        await Factory.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Factory = Create();
    }

    private WebApplicationFactory<Program> Create() => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
    {
        web.UseSetting("TICKETFLOW_DATA", DatabasePath);
        web.UseSetting("Demo:Seed", "false"); // tests that want the demo catalog turn it on
        foreach (var (key, value) in settings) web.UseSetting(key, value);
    });

    public string DatabasePath => Path.Combine(folder, "ticketflow.db");

    public HttpClient CreateClient(bool cookies = true) => Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies });

    /// <summary>The management port's /metrics (Prometheus text); the public port does not serve it.</summary>
    public Task<string> MetricsAsync() =>
        Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(ManagementUrl) }).GetStringAsync("/metrics");

    /// <summary>WebFront's default management address (the test server answers for any port; only the Host header routes).</summary>
    public const string ManagementUrl = "http://127.0.0.1:5081";

    /// <summary>A bearer token for the user (registering it first when asked).</summary>
    public async Task<string> TokenAsync(string email, string password, bool register = false)
    {
        var client = CreateClient(cookies: false);
        if (register) (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password, name = "Someone" })).Dispose();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        SqliteConnection.ClearAllPools();
        // A writer of the stopped host may still add a file as it ends (seen under load: "Directory not empty"): retry briefly.
        await Eventually.True(DeleteFolder, TimeSpan.FromSeconds(10), $"{folder} is deleted");
    }

    private bool DeleteFolder()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
