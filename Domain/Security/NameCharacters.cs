using System.Globalization;
using System.Text;

namespace TicketFlow.Domain.Security;

/// <summary>
/// Names shown to other people (a fan's name; an event, its artist, venue and tiers) hold no control or format characters:
/// a NUL cuts text short in logs and C libraries, a direction override (U+202E) turns "gpj.exe" into what reads as
/// "exe.jpg", and zero-width characters make two different names look the same.
/// </summary>
public static class NameCharacters
{
    /// <summary>The field error for a name that has one.</summary>
    public const string Refusal = "Use no control or invisible formatting characters (such as NUL, a direction override or a zero-width space).";

    /// <summary>True when <paramref name="value"/> has a character of Unicode category Cc (control) or Cf (format).</summary>
    public static bool HasControlOrFormat(string value)
    {
        foreach (var rune in value.EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format) return true;
        return false;
    }
}
