using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace TicketFlow.WebFront.Tests;

/// <summary>WebFront in embedded mode on a throwaway SQLite file, with optional extra settings.</summary>
public sealed class WebFrontHost : IAsyncDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-webfront-").FullName;

    public WebFrontHost(params (string Key, string Value)[] settings)
    {
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("TICKETFLOW_DATA", DatabasePath);
            web.UseSetting("Demo:Seed", "false"); // tests that want the demo catalog turn it on
            foreach (var (key, value) in settings) web.UseSetting(key, value);
        });
    }

    public WebApplicationFactory<Program> Factory { get; }

    public string DatabasePath => Path.Combine(folder, "ticketflow.db");

    public HttpClient CreateClient(bool cookies = true) => Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies });

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
