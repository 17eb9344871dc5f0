namespace TicketFlow.WebFront.Availability;

/// <summary>The process's open-file limit (RLIMIT_NOFILE), as the kernel reports it in /proc/self/limits.</summary>
public static class DescriptorLimit
{
    /// <summary>The soft limit in force (the .NET runtime raises it to the hard limit at start), or null where it cannot be read (not Linux, unlimited).</summary>
    public static long? Read(string path = "/proc/self/limits")
    {
        try
        {
            // "Max open files            20000                20000                files"
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return long.TryParse(soft, out var value) ? value : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
