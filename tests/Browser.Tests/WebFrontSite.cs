using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketFlow.Testing;
using Xunit.Abstractions;

namespace TicketFlow.Browser.Tests;

/// <summary>
/// A running WebFront process (embedded or in front of a cluster) and one chromium for the test class (or collection) that
/// uses it as a fixture. Each test opens a <see cref="BrowserSession"/> of its own: a fresh browser context.
/// <code>
/// await using var site = await webFront.OpenAsync(output);
/// var page = await site.NewPageAsync();
/// await page.GotoAsync(site.Url("/"));
/// </code>
/// </summary>
public abstract class WebFrontSite : IAsyncLifetime
{
    /// <summary>The admin account the WebFront creates at start (TICKETFLOW_ADMIN_EMAIL / TICKETFLOW_ADMIN_PASSWORD).</summary>
    public string AdminEmail => "admin@ticketflow.test";

    public string AdminPassword => "admin-password-1";

    /// <summary>How long the WebFront may take to answer 200 on /health/ready (first start: tables, demo events; a busy CI).</summary>
    protected static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private IPlaywright? playwright;

    /// <summary>The WebFront's public base address, e.g. http://127.0.0.1:40123.</summary>
    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{LocalMachine.FreePort()}");

    /// <summary>The WebFront process (its <see cref="AppProcess.Output"/> says what went wrong).</summary>
    public AppProcess WebFront { get; private set; } = null!;

    /// <summary>The shared chromium; tests open contexts on it through <see cref="OpenAsync"/>.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A client of the WebFront's API (no cookies): for arranging what a test needs without the pages.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>An absolute address on the WebFront: <c>Url("/events/evt_demo_002")</c>.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery).ToString();

    /// <summary>A fresh browser context on the shared chromium (its own cookies and storage); dispose it at the end of the test.
    /// Given the test's output helper, it writes the browser's console and the WebFront's output of the test there
    /// (xunit shows it when the test fails).</summary>
    public async Task<BrowserSession> OpenAsync(ITestOutputHelper? output = null, bool javaScript = true) =>
        await BrowserSession.OpenAsync(this, output, javaScript);

    /// <summary>Registers a new user through the API (a unique email unless given) and signs it in for a bearer token.</summary>
    public async Task<Account> RegisterAsync(string? email = null, string password = "correct-horse-battery-9", string name = "Test Fan")
    {
        email ??= $"fan-{Guid.NewGuid():N}@ticketflow.test";
        using var register = await Api.PostAsJsonAsync("/api/v1/auth/register", new { email, password, name });
        if (register.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"register {email}: {(int)register.StatusCode} {await register.Content.ReadAsStringAsync()}");
        return new Account(email, password, name, await TokenAsync(email, password));
    }

    /// <summary>A bearer token for an existing account.</summary>
    public async Task<string> TokenAsync(string email, string password)
    {
        using var login = await Api.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        var body = await login.Content.ReadAsStringAsync();
        if (!login.IsSuccessStatusCode) throw new InvalidOperationException($"login {email}: {(int)login.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("accessToken").GetString()!;
    }

    public Task<string> AdminTokenAsync() => TokenAsync(AdminEmail, AdminPassword);

    /// <summary>The settings every WebFront of these tests runs with (environment variables), whatever its mode.</summary>
    protected IReadOnlyDictionary<string, string> CommonSettings => new Dictionary<string, string>
    {
        ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Management__Port"] = LocalMachine.FreePort().ToString(),
        ["TICKETFLOW_ADMIN_EMAIL"] = AdminEmail,
        ["TICKETFLOW_ADMIN_PASSWORD"] = AdminPassword,
        ["RateLimits__Auth__PermitLimit"] = "1000", // a sign-up per test user, all from loopback
        ["RateLimits__Register__PerIpPermitLimit"] = "1000",
        ["RateLimits__Purchase__PermitLimit"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging__LogLevel__TicketFlow"] = "Information",
    };

    /// <summary>
    /// Starts the WebFront with <paramref name="settings"/>. Its content root is the repository's <c>WebFront/</c> folder, as
    /// under <c>dotnet run</c>: <c>wwwroot</c> (the pages' scripts and styles) is served from there, not from the test output.
    /// </summary>
    protected async Task StartWebFrontAsync(IReadOnlyDictionary<string, string> settings)
    {
        WebFront = AppProcess.Start("TicketFlow.WebFront", settings, "--contentRoot", Path.Combine(LocalMachine.RepositoryRoot, "WebFront"));
        // An API client as the load tool is one: bearer tokens, no cookie jar (a kept session cookie would make its calls
        // cookie-authenticated, and those need the antiforgery token the pages send).
        Api = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await WebFront.WaitUntilAsync(async () =>
        {
            using var ready = await Api.GetAsync("/health/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }, StartDeadline, $"the WebFront on {BaseAddress} answers 200 on /health/ready");
    }

    /// <summary>Starts what the WebFront needs, then the WebFront (<see cref="StartWebFrontAsync"/>).</summary>
    protected abstract Task StartAsync();

    protected virtual Task StopAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var browser = Chromium.LaunchAsync(); // meanwhile
        try
        {
            await StartAsync();
        }
        catch
        {
            (playwright, Browser) = await browser;
            await DisposeAsync(); // no process outlives a fixture that failed to start
            throw;
        }
        (playwright, Browser) = await browser;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        Api?.Dispose();
        if (WebFront is not null) await WebFront.DisposeAsync();
        await StopAsync();
    }
}

/// <summary>A user registered for a test, with a bearer token for the API.</summary>
public sealed record Account(string Email, string Password, string Name, string Token);
