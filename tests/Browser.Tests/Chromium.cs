namespace TicketFlow.Browser.Tests;

/// <summary>Debian's chromium driven by Playwright (<c>playwright install</c> cannot download browsers here).</summary>
public static class Chromium
{
    /// <summary>/usr/bin/chromium (<c>apt-get install -y chromium</c>), or <c>TICKETFLOW_CHROMIUM</c>.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("TICKETFLOW_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    // As root it needs --no-sandbox; without the background-networking flags it keeps trying to reach Google's hosts, which
    // this machine's closed network refuses (docs of the build machine).
    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath)) throw new InvalidOperationException($"{ExecutablePath} not found: apt-get install -y chromium (or set TICKETFLOW_CHROMIUM).");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
            Timeout = 60_000,
        });
        return (playwright, browser);
    }
}
