namespace TicketFlow.Data;

/// <summary>
/// Files only their owner may read (the embedded SQLite database, the signing key): on Unix created 0600 in a folder
/// created 0700. Modes are set only on what TicketFlow creates; an existing file or folder keeps the mode its owner gave it.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> holding <paramref name="content"/>, and its missing folders; false if it exists.</summary>
    public static bool TryCreate(string path, ReadOnlySpan<byte> content)
    {
        if (File.Exists(path)) return false;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
            options.UnixCreateMode = OwnerOnlyFile;
        }
        try
        {
            using var file = new FileStream(path, options);
            file.Write(content);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false; // another caller created it first
        }
    }
}
