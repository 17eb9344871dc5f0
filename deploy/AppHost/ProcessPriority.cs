using System.Runtime.InteropServices;

namespace TicketFlow.AppHost;

/// <summary>
/// Linux niceness of a whole process. Niceness belongs to threads: renice(1) -p changes the thread whose id is the pid,
/// not the dozens a .NET process starts at once, and each new thread inherits its creator's. So every thread is set,
/// and again a little later for the threads that were being created meanwhile.
/// </summary>
public static class ProcessPriority
{
    private static readonly TimeSpan[] Passes = [TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

    /// <summary>Sets every thread of the process to <paramref name="niceness"/> now, after 2 s and after 10 s.</summary>
    public static async Task SettleAsync(int pid, int niceness, ILogger logger, CancellationToken cancellationToken)
    {
        var previous = TimeSpan.Zero;
        foreach (var at in Passes)
        {
            await Task.Delay(at - previous, cancellationToken);
            previous = at;
            if (Set(pid, niceness) is { } problem)
            {
                logger.LogWarning("Could not set the niceness of process {Pid} to {Niceness}: {Problem}", pid, niceness, problem);
                return;
            }
        }
    }

    /// <returns>Null when every thread now runs at <paramref name="niceness"/>; otherwise why not.</returns>
    public static string? Set(int pid, int niceness)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                if (int.TryParse(Path.GetFileName(task), out var thread) && SetPriority(PriorityProcess, thread, niceness) != 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    if (error != NoSuchProcess) return Marshal.GetPInvokeErrorMessage(error); // a thread that just ended is fine
                }
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null; // the process has exited
        }
    }

    private const int PriorityProcess = 0; // PRIO_PROCESS: on Linux, one thread
    private const int NoSuchProcess = 3; // ESRCH

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int niceness);
}
