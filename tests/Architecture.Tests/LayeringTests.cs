using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TicketFlow.Domain;

namespace TicketFlow.Architecture.Tests;

/// <summary>
/// The layers of docs/ARCHITECTURE.md ("Projects and layers"), checked on every build: which project may reference
/// which, a domain that references nothing and does no I/O, and grains that keep no rules of their own.
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>Every production project and the projects it may reference (the diagram in docs/ARCHITECTURE.md).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Domain"] = [],
        ["Grains.Interfaces"] = ["Domain"],
        ["Data"] = [],
        ["Payments"] = ["Data"],
        ["Grains"] = ["Grains.Interfaces", "Domain", "Data", "Payments"],
        ["Hosting"] = ["Grains", "Data"],
        ["Silo"] = ["Hosting"],
        ["WebFront"] = ["Hosting"],
        ["deploy/AppHost"] = ["Silo", "WebFront"],
    };

    [Fact]
    public void Every_project_references_only_the_layers_it_may()
    {
        var projects = Directory.EnumerateFiles(Repository.Root, "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(p)!).Replace('\\', '/'))
            .Where(p => !p.StartsWith("tests/", StringComparison.Ordinal) && !p.Contains("/obj") && !p.Contains("/bin"))
            .Order().ToList();
        Assert.Equal(Allowed.Keys.Order(), projects); // a new project gets its place in the layers here and in the docs

        foreach (var (project, allowed) in Allowed)
        {
            var references = ProjectReferences(project);
            var forbidden = references.Except(allowed).ToList();
            Assert.True(forbidden.Count == 0, $"{project} references {string.Join(", ", forbidden)}, which its layer may not.");
        }
    }

    [Fact]
    public void The_domain_references_no_package_no_project_and_no_framework_beyond_the_base_library()
    {
        var project = XDocument.Load(Repository.PathOf("Domain/TicketFlow.Domain.csproj"));
        var references = project.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "FrameworkReference")
            .Select(e => (string?)e.Attribute("Include")).ToList();
        Assert.True(references.Count == 0, $"The domain references {string.Join(", ", references)}: it stays plain C#.");

        var assemblies = typeof(ProblemCodes).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(assemblies, name => Assert.True(name == "netstandard" || name == "System" || name.StartsWith("System.", StringComparison.Ordinal),
            $"The domain assembly references {name}."));
    }

    [Fact]
    public void The_domain_does_no_io_reads_no_clock_and_draws_no_unseeded_randomness()
    {
        var used = MembersUsedBy(typeof(ProblemCodes).Assembly);
        string[] forbiddenNamespaces = ["System.IO", "System.Net", "System.Data", "System.Threading.Tasks", "System.Diagnostics.Stopwatch", "System.Diagnostics.Process", "System.Diagnostics.Activity", "Microsoft."];
        string[] forbiddenMembers =
        [
            "System.DateTime.get_Now", "System.DateTime.get_UtcNow", "System.DateTimeOffset.get_Now", "System.DateTimeOffset.get_UtcNow",
            "System.Guid.NewGuid", "System.Random.get_Shared", "System.Environment.", "System.Console.", "System.TimeProvider.",
            "System.Security.Cryptography.RandomNumberGenerator.",
        ];
        var violations = used.Where(m => forbiddenNamespaces.Any(n => m.StartsWith(n, StringComparison.Ordinal))
            || forbiddenMembers.Any(f => m.StartsWith(f, StringComparison.Ordinal))).Distinct().Order().ToList();
        Assert.True(violations.Count == 0, "The domain must take time, randomness and data as arguments; it uses: " + string.Join(", ", violations));
        Assert.Contains("System.Collections.Generic.Dictionary`2..ctor", used); // the scan sees what the domain uses
    }

    [Fact]
    public void Grains_keep_no_rules_they_ask_the_domain_and_name_no_problem_code_of_their_own()
    {
        var violations = new List<string>();
        foreach (var file in Repository.Sources("Grains"))
        {
            var lines = File.ReadAllLines(Repository.PathOf(file));
            for (var i = 0; i < lines.Length; i++)
            {
                if (StateComparison().IsMatch(lines[i])) violations.Add($"{file}:{i + 1}: decides on a state ({lines[i].Trim()})");
                foreach (Match literal in StringLiteral().Matches(lines[i]))
                    if (literal.Groups[1].Value.Contains('_') && ProblemCodes.All.Contains(literal.Groups[1].Value)) violations.Add($"{file}:{i + 1}: spells a problem code ({literal.Value})");
            }
        }
        Assert.True(violations.Count == 0, "Rules belong in Domain/ (a state machine decides; the grain loads, persists and acts):\n"
            + string.Join("\n", violations));
    }

    [Fact]
    public void Problem_codes_are_spelled_once_everything_else_uses_the_constants()
    {
        // The same words as an event status ("sold_out") are a different concept, named by EventStatus.
        HashSet<(string File, string Code)> otherConcepts = [("WebFront/Catalog/CatalogModels.cs", "sold_out")];
        var spelled = new List<string>();
        foreach (var folder in new[] { "Domain", "Grains", "Grains.Interfaces", "Data", "Payments", "Hosting", "Silo", "WebFront" })
        foreach (var file in Repository.Sources(folder).Where(f => f != "Domain/ProblemCodes.cs"))
        foreach (Match literal in StringLiteral().Matches(File.ReadAllText(Repository.PathOf(file))))
        {
            var code = literal.Groups[1].Value;
            if (code.Contains('_') && ProblemCodes.All.Contains(code) && !otherConcepts.Contains((file, code))) spelled.Add($"{file}: {literal.Value}");
        }
        Assert.True(spelled.Count == 0, "Use ProblemCodes instead of spelling a code:\n" + string.Join("\n", spelled));
    }

    private static List<string> ProjectReferences(string project)
    {
        var file = Directory.EnumerateFiles(Repository.PathOf(project), "*.csproj").Single();
        return XDocument.Load(file).Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!,
                ((string)e.Attribute("Include")!).Replace('\\', '/'))))!).Replace('\\', '/'))
            .ToList();
    }

    /// <summary>Every type and member the assembly refers to, as <c>Namespace.Type.Member</c>, read from its metadata.</summary>
    private static HashSet<string> MembersUsedBy(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        string TypeName(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeReference => metadata.GetTypeReference((TypeReferenceHandle)handle) is var t
                ? $"{metadata.GetString(t.Namespace)}.{metadata.GetString(t.Name)}" : "",
            HandleKind.TypeSpecification => "(generic)",
            _ => "",
        };
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences) used.Add(TypeName(handle));
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            var parent = member.Parent.Kind == HandleKind.TypeSpecification
                ? GenericParent(metadata, (TypeSpecificationHandle)member.Parent, TypeName)
                : TypeName(member.Parent);
            used.Add($"{parent}.{metadata.GetString(member.Name)}");
        }
        return used;
    }

    /// <summary>The open type of a generic instantiation (<c>Dictionary`2</c> for <c>Dictionary&lt;string, int&gt;</c>).</summary>
    private static string GenericParent(MetadataReader metadata, TypeSpecificationHandle handle, Func<EntityHandle, string> typeName)
    {
        var blob = metadata.GetBlobReader(metadata.GetTypeSpecification(handle).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance) return "(generic)";
        blob.ReadCompressedInteger(); // class or value type
        return typeName(blob.ReadTypeHandle());
    }

    [GeneratedRegex(@"(==|!=|\bis\b|\bcase\b)\s*(not\s+)?\(?\s*(CheckoutStep|HoldStates|QueueState)\.")]
    private static partial Regex StateComparison();

    [GeneratedRegex("\"([a-z]+(?:_[a-z]+)*)\"")]
    private static partial Regex StringLiteral();
}
