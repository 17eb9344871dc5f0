using Zxcvbn.Matcher;

namespace TicketFlow.WebFront.Accounts;

/// <summary>
/// Whether a new password is hard enough to guess, by zxcvbn (its dictionaries of common passwords, words and names, and
/// its patterns: repeats, sequences, keyboard rows, dates), with the user's own email and name as words to avoid.
/// zxcvbn-core 1.1.x scores but gives no wording, so the explanation is zxcvbn's usual feedback, chosen from the parts
/// it found.
/// </summary>
public static class PasswordStrength
{
    /// <summary>zxcvbn's score runs 0 (too guessable) to 4 (very unguessable); 3 is "safely unguessable" for an online attack.</summary>
    public const int MinScore = 3;

    private const string Suggestion = "Add another word or two; uncommon words are better.";

    /// <summary>Null when the password is strong enough; else why not and what helps.</summary>
    public static string? Weakness(string password, string? email, string? name)
    {
        var result = Zxcvbn.Zxcvbn.MatchPassword(password, UserInputs(email, name));
        return result.Score >= MinScore ? null : $"{Warning(password, result.MatchSequence)} {Suggestion}";
    }

    /// <summary>The email, its local part and the name, whole and in pieces: "alice2024" is weak for alice.</summary>
    private static List<string> UserInputs(string? email, string? name)
    {
        var local = email?.Split('@')[0] ?? "";
        return new[] { email ?? "", local, name ?? "" }
            .Concat(local.Split(['.', '_', '-', '+'])).Concat((name ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(input => input.Trim().ToLowerInvariant()).Where(input => input.Length > 0).Distinct().ToList();
    }

    /// <summary>What makes it weak: the user's own name or email first, then a common password, then the longest pattern.</summary>
    private static string Warning(string password, IEnumerable<Zxcvbn.Match> matches)
    {
        var found = matches.Where(match => match.Pattern != "bruteforce").OrderByDescending(match => match.Token.Length).ToList();
        if (found.OfType<DictionaryMatch>().Any(match => match.DictionaryName == "user_inputs"))
            return "Do not use your name or email in your password.";
        if (found.OfType<DictionaryMatch>().FirstOrDefault(match => match.DictionaryName == "passwords") is { } common)
            return common.Token.Length == password.Length ? "This is a very common password." : "This is similar to a commonly used password.";
        return found.FirstOrDefault() switch
        {
            DictionaryMatch { DictionaryName: "male_names" or "female_names" or "surnames" } => "Names and surnames by themselves are easy to guess.",
            DictionaryMatch => "A word by itself is easy to guess.",
            { Pattern: "repeat" } => "Repeats like \"aaa\" are easy to guess.",
            { Pattern: "sequence" } => "Sequences like abc or 6543 are easy to guess.",
            { Pattern: "spatial" } => "Straight rows and short patterns of keys are easy to guess.",
            { Pattern: "date" or "year" } => "Dates and years are easy to guess.",
            _ => "This password is easy to guess.",
        };
    }
}
