using TicketFlow.Testing;

namespace TicketFlow.Browser.Tests;

/// <summary>
/// The WebFront as <c>dotnet run</c> starts it: embedded silo on a SQLite file in a fresh data folder, the demo events seeded,
/// the admin account created. Use it as a class fixture (<c>IClassFixture&lt;EmbeddedWebFront&gt;</c>) or a collection fixture.
/// </summary>
public class EmbeddedWebFront : WebFrontSite
{
    private readonly string data = LocalMachine.FreshTempFolder("tf-browser-");

    /// <summary>Settings on top of the defaults (environment variable names, <c>Section__Key</c>); a subclass overrides it.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected override Task StartAsync() => StartWebFrontAsync(new Dictionary<string, string>(CommonSettings)
    {
        ["TICKETFLOW_DATA"] = Path.Combine(data, "ticketflow.db"),
        ["Demo__Seed"] = "true",
    }.Concat(Settings).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    protected override Task StopAsync()
    {
        Directory.Delete(data, recursive: true);
        return Task.CompletedTask;
    }
}
