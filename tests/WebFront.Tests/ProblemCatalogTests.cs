using System.Text;
using System.Text.RegularExpressions;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests;

/// <summary>One set of problem codes: the constants, the WebFront's statuses and wording, and docs/ERRORS.md agree.</summary>
public sealed partial class ProblemCatalogTests
{
    private const string Start = "<!-- problem-codes:start (generated from WebFront/Problems.cs by ProblemCatalogTests) -->";
    private const string End = "<!-- problem-codes:end -->";

    [Fact]
    public void Every_code_has_one_status_and_wording_and_every_catalogued_code_is_a_constant()
    {
        Assert.Equal(ProblemCodes.All.Order(), Problems.Catalog.Keys.Order());
        Assert.All(Problems.Catalog, entry => Assert.InRange(entry.Value.Status, 400, 599));
        Assert.Equal(ProblemCodes.All.Count, ProblemCodes.All.Distinct().Count());
    }

    [Fact]
    public void Docs_errors_table_is_the_catalogue()
    {
        var path = Path.Combine(LocalMachine.RepositoryRoot, "docs", "ERRORS.md");
        var text = File.ReadAllText(path);
        var (from, to) = (text.IndexOf(Start, StringComparison.Ordinal), text.IndexOf(End, StringComparison.Ordinal));
        Assert.True(from >= 0 && to > from, $"docs/ERRORS.md lacks the generated table markers ({Start} … {End}).");
        var documented = text[(from + Start.Length)..to].Trim();
        var expected = Table().Trim();
        if (documented != expected && Environment.GetEnvironmentVariable("TICKETFLOW_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..(from + Start.Length)] + "\n" + expected + "\n" + text[to..]);
            return;
        }
        Assert.True(documented == expected,
            "docs/ERRORS.md is out of date with WebFront/Problems.cs. Regenerate it with\n" +
            "  TICKETFLOW_WRITE_DOCS=1 dotnet test tests/WebFront.Tests --filter ProblemCatalogTests\nExpected:\n" + expected);
    }

    [Fact]
    public void The_codes_the_api_contract_names_as_examples_exist_with_the_statuses_it_gives()
    {
        var contract = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "..", "shared", "design", "API.md"));
        var conventions = contract[contract.IndexOf("## Conventions", StringComparison.Ordinal)..contract.IndexOf("## Accounts", StringComparison.Ordinal)];
        var named = conventions[(conventions.IndexOf("(e.g.", StringComparison.Ordinal) + 5)..];
        var examples = CodeSpan().Matches(named[..named.IndexOf(')')]).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(ProblemCodes.SoldOut, examples);
        Assert.All(examples, code => Assert.True(Problems.Catalog.ContainsKey(code), $"API.md names {code}, which the API does not answer with."));
        Assert.Equal(410, Problems.Catalog[ProblemCodes.HoldExpired].Status); // "410 hold expired"
        Assert.Equal(422, Problems.Catalog[ProblemCodes.IdempotencyKeyReused].Status); // "422 Idempotency-Key reused with a different body"
        Assert.Equal(429, Problems.Catalog[ProblemCodes.RateLimited].Status);
    }

    private static string Table()
    {
        var table = new StringBuilder("| code | status | meaning |\n|---|---|---|\n");
        foreach (var (code, (status, meaning)) in Problems.Catalog.OrderBy(e => e.Value.Status).ThenBy(e => e.Key, StringComparer.Ordinal))
            table.Append($"| `{code}` | {status} | {meaning.Replace("|", "\\|")} |\n");
        return table.ToString();
    }

    [GeneratedRegex("`([a-z]+(?:_[a-z]+)*)`")]
    private static partial Regex CodeSpan();
}
