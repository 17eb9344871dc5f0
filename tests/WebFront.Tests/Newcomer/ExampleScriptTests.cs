using System.Diagnostics;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Newcomer;

/// <summary>
/// The README's purchase example, docs/examples/buy-a-ticket.sh, run with bash and curl against a real Kestrel-served
/// WebFront with the demo catalog, as a newcomer runs it against <c>dotnet run --project WebFront</c>.
/// </summary>
public sealed class ExampleScriptTests : IAsyncLifetime
{
    private readonly int port = LocalMachine.FreePort();
    private WebFrontHost host = null!;

    private string Base => $"http://localhost:{port}";

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("Demo:Seed", "true"), ("urls", Base) /* as --urls sets it */,
            ("Management:Port", LocalMachine.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        host.Factory.UseKestrel();
        host.Factory.StartServer();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_example_goes_from_sign_in_to_ticket_codes()
    {
        var (exit, stdout, stderr) = await RunScriptAsync(("EMAIL", "newcomer@example.com"));
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Matches(@"register: 201", stdout);
        Assert.Matches(@"hold evt_demo_002\.\S+, expires ", stdout);
        Assert.Matches(@"order ord_\S+", stdout);
        Assert.Equal(2, stdout.Split('\n').Count(l => l.StartsWith("ticket code: ", StringComparison.Ordinal) && l.Length > 30));

        var again = await RunScriptAsync(("EMAIL", "newcomer@example.com")); // the account exists: it logs in and buys again
        Assert.True(again.Exit == 0, again.Stderr);
        Assert.Contains("register: 409", again.Stdout);
    }

    [Fact]
    public async Task A_failed_login_stops_the_script_with_the_problem_details()
    {
        await RunScriptAsync(("EMAIL", "taken@example.com"));
        var (exit, stdout, stderr) = await RunScriptAsync(("EMAIL", "taken@example.com"), ("PASSWORD", "not-the-password-9"));
        Assert.NotEqual(0, exit);
        Assert.Contains(ProblemCodes.InvalidCredentials, stderr);
        Assert.DoesNotContain("hold ", stdout);
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunScriptAsync(params (string Name, string Value)[] environment)
    {
        var script = Path.Combine(LocalMachine.RepositoryRoot, "docs", "examples", "buy-a-ticket.sh");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["BASE"] = Base;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
