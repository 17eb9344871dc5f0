namespace TicketFlow.Architecture.Tests;

/// <summary>The checkout the tests run from: its source files and project files, read as text.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>C# sources under <paramref name="folder"/>, as paths relative to the root (build output excluded).</summary>
    public static IEnumerable<string> Sources(string folder) =>
        Directory.EnumerateFiles(PathOf(folder), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "TicketFlow.sln"))) return folder.FullName;
        throw new InvalidOperationException("TicketFlow.sln not found above the test's folder.");
    }
}
