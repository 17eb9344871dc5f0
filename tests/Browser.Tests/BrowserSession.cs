using System.Collections.Concurrent;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using TicketFlow.Testing;
using Xunit.Abstractions;

namespace TicketFlow.Browser.Tests;

/// <summary>
/// One test's browser: a fresh context (cookies, storage) on the fixture's chromium, watching what its pages do: console
/// errors, Content-Security-Policy violations, uncaught exceptions and requests to any origin but the WebFront's.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public static readonly (int Width, int Height) Desktop = (1280, 800);
    public static readonly (int Width, int Height) Mobile = (375, 812);

    private readonly WebFrontSite site;
    private readonly ITestOutputHelper? output;
    private readonly int webFrontOutputAtStart;
    private readonly ConcurrentQueue<string> console = new();
    private readonly ConcurrentQueue<string> errors = new();
    private readonly ConcurrentQueue<string> foreignRequests = new();

    private BrowserSession(WebFrontSite site, IBrowserContext context, ITestOutputHelper? output)
    {
        this.site = site;
        this.output = output;
        Context = context;
        webFrontOutputAtStart = site.WebFront.OutputLength;
        var origin = site.BaseAddress.GetLeftPart(UriPartial.Authority);
        context.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "ws" or "wss"
                && !string.Equals($"{(url.Scheme is "ws" or "wss" ? url.Scheme.Replace("ws", "http") : url.Scheme)}://{url.Authority}", origin, StringComparison.OrdinalIgnoreCase))
                foreignRequests.Enqueue($"{request.Method} {request.Url}");
        };
        context.Page += (_, page) => Watch(page);
    }

    /// <summary>The test's own browser context: its cookies are the signed-in state.</summary>
    public IBrowserContext Context { get; }

    /// <summary>Every console message of the session's pages, as <c>type: text</c>.</summary>
    public IReadOnlyCollection<string> Console => console;

    /// <summary>Console errors and uncaught exceptions of the session's pages (CSP violations among them).</summary>
    public IReadOnlyCollection<string> Errors => errors;

    /// <summary>Requests the session's pages made to another origin than the WebFront's.</summary>
    public IReadOnlyCollection<string> ForeignRequests => foreignRequests;

    /// <inheritdoc cref="WebFrontSite.Url"/>
    public string Url(string pathAndQuery) => site.Url(pathAndQuery);

    internal static async Task<BrowserSession> OpenAsync(WebFrontSite site, ITestOutputHelper? output, bool javaScript = true)
    {
        var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = Desktop.Width, Height = Desktop.Height },
            JavaScriptEnabled = javaScript,
            BaseURL = site.BaseAddress.ToString(),
        });
        // Expect(...) waits up to 10 s for a change to show (the issue's deadline for "live" assertions).
        Assertions.SetDefaultExpectTimeout(10_000);
        return new BrowserSession(site, context, output);
    }

    /// <summary>A new tab in this session's context.</summary>
    public Task<IPage> NewPageAsync() => Context.NewPageAsync();

    /// <summary>Signs the session in (the login call's session cookie lands in this context), as a user who signed in on the page.</summary>
    public async Task SignInAsync(string email, string password)
    {
        var login = await Context.APIRequest.PostAsync(Url("/api/v1/auth/login"), new APIRequestContextOptions { DataObject = new { email, password } });
        if (!login.Ok) throw new InvalidOperationException($"login {email}: {login.Status} {await login.TextAsync()}");
    }

    public Task SignInAsync(Account account) => SignInAsync(account.Email, account.Password);

    /// <summary>Fails, listing them, if any page of the session broke the Content-Security-Policy, threw, or asked another origin.</summary>
    public void AssertNoCspViolationOrForeignRequest()
    {
        var csp = errors.Where(e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(csp.Count == 0, "Content-Security-Policy violations:\n" + string.Join("\n", csp));
        Assert.True(foreignRequests.IsEmpty, "Requests to another origin:\n" + string.Join("\n", foreignRequests));
    }

    /// <summary>Fails if any page of the session logged a console error or threw.</summary>
    public void AssertNoErrors() => Assert.True(errors.IsEmpty, "Console errors and exceptions:\n" + string.Join("\n", errors));

    /// <summary>
    /// Runs axe-core on the page and fails with a readable list when a violation is serious or critical.
    /// <paramref name="excludedRules"/> turns rules off for this page only: say why where you pass them.
    /// </summary>
    public static async Task AssertAccessibleAsync(IPage page, params string[] excludedRules)
    {
        var options = new AxeRunOptions
        {
            Rules = excludedRules.ToDictionary(rule => rule, _ => new RuleOptions { Enabled = false }),
        };
        var result = await page.RunAxe(options);
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe found {serious.Count} serious or critical accessibility violation(s) on {page.Url}:\n" + string.Join("\n",
            serious.Select(v => $"- {v.Id} ({v.Impact}): {v.Help} ({v.HelpUrl})\n" + string.Join("\n",
                v.Nodes.Take(5).Select(n => $"    {string.Join(" ", n.Target?.ToString() ?? "")}: {Shorten(n.Html)}")))));
    }

    /// <summary>
    /// Saves <c>{name}-desktop.png</c> (1280 wide) and <c>{name}-mobile.png</c> (375 wide) of the page's viewport into
    /// <c>screenshots/</c> in the test output, and into the repository's <c>docs/screenshots/</c> when TICKETFLOW_WRITE_DOCS=1.
    /// The page is left at the desktop size.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folders = new List<string> { Path.Combine(AppContext.BaseDirectory, "screenshots") };
        if (Environment.GetEnvironmentVariable("TICKETFLOW_WRITE_DOCS") == "1") folders.Add(Path.Combine(LocalMachine.RepositoryRoot, "docs", "screenshots"));
        foreach (var (suffix, size) in new[] { ("desktop", Desktop), ("mobile", Mobile) })
        {
            await page.SetViewportSizeAsync(size.Width, size.Height);
            var png = await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled });
            foreach (var folder in folders)
                await File.WriteAllBytesAsync(Path.Combine(Directory.CreateDirectory(folder).FullName, $"{name}-{suffix}.png"), png);
        }
        await page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
    }

    private void Watch(IPage page)
    {
        page.Console += (_, message) =>
        {
            console.Enqueue($"{message.Type}: {message.Text}");
            if (message.Type == "error") errors.Enqueue($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => errors.Enqueue($"{page.Url}: uncaught {error}");
    }

    private static string Shorten(string html) => html.Length <= 200 ? html : html[..200] + "…";

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        if (output is null) return;
        try
        {
            output.WriteLine("--- browser console:\n" + string.Join("\n", console));
            if (!foreignRequests.IsEmpty) output.WriteLine("--- requests to other origins:\n" + string.Join("\n", foreignRequests));
            output.WriteLine($"--- {site.WebFront.Name} during the test:\n{site.WebFront.OutputSince(webFrontOutputAtStart)}");
        }
        catch (InvalidOperationException) { /* the test has already ended */ }
    }
}
