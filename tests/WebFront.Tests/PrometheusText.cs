using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketFlow.WebFront.Tests;

/// <summary>Reads samples out of Prometheus text (what /metrics on a management port answers), whatever other labels they carry.</summary>
public static partial class PrometheusText
{
    /// <summary>The value of the sample named <paramref name="name"/> whose labels include all of <paramref name="labels"/>; null if none.</summary>
    public static double? Value(string text, string name, params (string Label, string Value)[] labels)
    {
        foreach (Match sample in Sample().Matches(text))
        {
            if (sample.Groups["name"].Value != name) continue;
            var present = Label().Matches(sample.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value);
            if (labels.All(l => present.TryGetValue(l.Label, out var value) && value == l.Value))
                return double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return null;
    }

    /// <summary>Every sample named <paramref name="name"/>: its labels and value.</summary>
    public static IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string text, string name) =>
        [.. Sample().Matches(text).Where(s => s.Groups["name"].Value == name).Select(s => (
            (IReadOnlyDictionary<string, string>)Label().Matches(s.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value),
            double.Parse(s.Groups["value"].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)""", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Label();
}
