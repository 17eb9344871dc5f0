using System.Diagnostics;
using System.Text;
using TicketFlow.Testing;

namespace TicketFlow.Browser.Tests;

/// <summary>
/// A TicketFlow executable copied beside the tests (<c>dotnet TicketFlow.WebFront.dll</c>, <c>dotnet TicketFlow.Silo.dll</c>)
/// run as an operator runs it, configured by environment. Its console output is kept (and written to
/// <c>logs/</c> in the test output when it is disposed) so a failure can show what the process said.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private AppProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
        process.OutputDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The assembly's name without <c>.dll</c> (e.g. <c>TicketFlow.WebFront</c>).</summary>
    public string Name { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>How much it has written so far: pass it to <see cref="OutputSince"/> later to see what came after.</summary>
    public int OutputLength { get { lock (output) return output.Length; } }

    public string OutputSince(int offset) { lock (output) return output.ToString(Math.Min(offset, output.Length), output.Length - Math.Min(offset, output.Length)); }

    /// <summary>Starts <c>dotnet {assembly}.dll</c> from the test output folder with <paramref name="environment"/> on top of the
    /// test's own (settings as environment variables: <c>Section__Key</c>).</summary>
    public static AppProcess Start(string assembly, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: the test project references the project that builds it.");
        var start = new ProcessStartInfo("dotnet", [path, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return new AppProcess(assembly, Process.Start(start)!);
    }

    /// <summary>Polls until the process has printed <paramref name="text"/>; fails at once, with its output, if it exits.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        Eventually.True(() => HasExited ? throw Exited() : Output.Contains(text, StringComparison.Ordinal), timeout, $"{Name} prints \"{text}\"");

    /// <summary>Polls <paramref name="probe"/> until it is true; fails at once, with the output, if the process exits, and with
    /// the output when the deadline passes.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> probe, TimeSpan timeout, string because)
    {
        try
        {
            await Eventually.Get(async () => HasExited ? throw Exited() : await probe(), ok => ok, timeout, because);
        }
        catch (TimeoutException error)
        {
            throw new TimeoutException($"{error.Message}\n--- {Name} (pid {Id}) said:\n{Output}", error.InnerException is InvalidOperationException exited ? exited : error.InnerException);
        }
    }

    private InvalidOperationException Exited() => new($"{Name} exited with code {process.ExitCode}:\n{Output}");

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var logs = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "logs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(logs, $"{Name}-{process.Id}.log"), Output);
        process.Dispose();
    }
}
