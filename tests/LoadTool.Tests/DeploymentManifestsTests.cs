using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using TicketFlow.Testing;
using YamlDotNet.RepresentationModel;

namespace TicketFlow.LoadTool.Tests;

/// <summary>
/// deploy/compose/compose.yaml and deploy/k8s/ticketflow.yaml are never run here; these tests keep them describing the
/// cluster deploy/AppHost runs: the same processes, every setting the AppHost gives a silo or a WebFront, Redis with
/// persistence and a password, the cluster certificates from secrets, the silo and gateway ports, nginx's public port.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // the AppHost runs Linux processes
public sealed class DeploymentManifestsTests(AppHostModel apphost) : IClassFixture<AppHostModel>
{
    public static TheoryData<string> Manifests => ["compose/compose.yaml", "k8s/ticketflow.yaml"];

    /// <summary>Settings the manifests need not repeat.</summary>
    private static readonly HashSet<string> LocalOnly =
    [
        "Management__Port", // the AppHost's own choice: processes on one machine need a port each; containers keep the default
        "TICKETFLOW_ADMIN_EMAIL", "TICKETFLOW_ADMIN_PASSWORD", // optional: the AppHost passes them on only when its own environment has them
    ];

    [Theory, MemberData(nameof(Manifests))]
    public void Runs_the_same_processes_as_the_AppHost(string file)
    {
        var manifest = Manifest.Load(file);
        var wrong = apphost.Processes.Where(p => manifest.Count(p.Key) != p.Value)
            .Select(p => $"{manifest.Count(p.Key)} {p.Key} process(es), the AppHost runs {p.Value}").ToList();
        Assert.True(wrong.Count == 0, $"{file}: {string.Join("; ", wrong)}");
    }

    [Theory, MemberData(nameof(Manifests))]
    public void Silos_and_WebFronts_get_every_setting_the_AppHost_gives_them(string file)
    {
        var manifest = Manifest.Load(file);
        foreach (var kind in new[] { "silo", "webfront" })
            foreach (var workload in manifest.Of(kind))
            {
                var missing = apphost.Settings[kind].Keys.Except(LocalOnly).Except(workload.Settings.Keys).Order().ToList();
                Assert.True(missing.Count == 0, $"{file}: {workload.Name} lacks {string.Join(", ", missing)}");
            }
    }

    [Theory, MemberData(nameof(Manifests))]
    public void Redis_has_persistence_and_a_password(string file)
    {
        // The AppHost's redis.conf is the reference: its appendonly value, and a password (each manifest has its own).
        Assert.Equal("yes", apphost.RedisConf.GetValueOrDefault("appendonly"));
        Assert.False(string.IsNullOrEmpty(apphost.RedisConf.GetValueOrDefault("requirepass")), "the AppHost's redis.conf has no requirepass");
        var manifest = Manifest.Load(file);
        var redis = manifest.One("redis");
        string? Option(string name) => redis.CommandLine.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        Assert.True(Option("appendonly") == apphost.RedisConf["appendonly"], $"{file}: redis is not run with --appendonly {apphost.RedisConf["appendonly"]}: {string.Join(' ', redis.CommandLine)}");
        Assert.True(!string.IsNullOrEmpty(Option("requirepass")), $"{file}: redis is not run with --requirepass: {string.Join(' ', redis.CommandLine)}");
        // ...and the clients know the password.
        foreach (var client in manifest.Of("silo").Concat(manifest.Of("webfront")))
            Assert.True(client.Settings.GetValueOrDefault("TICKETFLOW_REDIS")?.Contains("password=") == true, $"{file}: {client.Name}'s TICKETFLOW_REDIS has no password=");
    }

    [Theory, MemberData(nameof(Manifests))]
    public void Cluster_certificates_are_mounted_from_secrets(string file)
    {
        var manifest = Manifest.Load(file);
        foreach (var kind in new[] { "silo", "webfront" })
            foreach (var setting in apphost.Settings[kind].Keys.Where(k => k.StartsWith("TICKETFLOW_CLUSTER_")))
                foreach (var workload in manifest.Of(kind))
                {
                    var path = workload.Settings.GetValueOrDefault(setting) ?? "unset";
                    Assert.True(workload.IsSecretFile(path), $"{file}: {workload.Name}'s {setting} ({path}) is not a file mounted from a secret");
                    // The same file as the AppHost's (member.crt, member.key, ca.crt), whatever the manifest's prefix.
                    var own = Path.GetFileName(apphost.Settings[kind][setting]);
                    Assert.True(path.EndsWith(own), $"{file}: {workload.Name}'s {setting} is {path}, the AppHost's is {own}");
                }
    }

    [Theory, MemberData(nameof(Manifests))]
    public void Silos_have_a_silo_and_a_gateway_port_and_nginx_the_public_port(string file)
    {
        var manifest = Manifest.Load(file);
        foreach (var silo in manifest.Of("silo"))
            foreach (var (endpoint, setting) in new[] { ("silo", "Silo__Port"), ("gateway", "Silo__GatewayPort") })
            {
                Assert.Contains(endpoint, apphost.SiloEndpoints); // the AppHost's names, which the Kubernetes ports use too
                Assert.True(int.TryParse(silo.Settings.GetValueOrDefault(setting), out var port), $"{file}: {silo.Name} has no {setting} port");
                // Compose containers reach each other on any port; Kubernetes declares them by name.
                if (silo.Ports.Count > 0)
                    Assert.True(silo.Ports.GetValueOrDefault(endpoint) == port, $"{file}: {silo.Name} has no container port {endpoint} = {port} ({setting})");
            }
        var nginx = manifest.One("nginx");
        Assert.True(nginx.Published.Contains(apphost.DefaultPort), $"{file}: nginx is published on [{string.Join(", ", nginx.Published)}], not the AppHost's {apphost.DefaultPort}");
    }

    private static readonly System.Net.IPNetwork[] PrivateRanges =
        [.. new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7" }.Select(r => System.Net.IPNetwork.Parse(r))];

    /// <summary>
    /// Issue 23: the manifests once trusted whole private ranges for X-Forwarded-For with ForwardLimit 2, so a client
    /// inside them picked its own rate-limit bucket. A WebFront believes nginx only (compose: its fixed address; Kubernetes,
    /// where a pod has no fixed address: the pod network, which a NetworkPolicy opens to nginx's pods only) and reads one
    /// hop. Two hops are the AppHost's load-test configuration, never a shipped manifest's.
    /// </summary>
    [Theory, MemberData(nameof(Manifests))]
    public void WebFronts_believe_X_Forwarded_For_from_nginx_only_and_for_one_hop(string file)
    {
        var manifest = Manifest.Load(file);
        var nginx = manifest.One("nginx");
        foreach (var webfront in manifest.Of("webfront"))
        {
            string[] Entries(string list) => [.. webfront.Settings.Where(s => s.Key.StartsWith($"ForwardedHeaders__{list}__")).Select(s => s.Value!.Trim())];
            var proxies = Entries("KnownProxies");
            var networks = Entries("KnownNetworks").Select(n => System.Net.IPNetwork.Parse(n)).ToList();
            var limit = webfront.Settings.GetValueOrDefault("ForwardedHeaders__ForwardLimit");
            Assert.True(limit is null or "1", $"{file}: {webfront.Name} reads {limit} X-Forwarded-For hops, not 1");
            // nginx is not on the WebFront's loopback here: without a trusted proxy every client would look like nginx.
            Assert.True(proxies.Length + networks.Count > 0, $"{file}: {webfront.Name} trusts no proxy (loopback only), but nginx is not on its loopback");
            foreach (var proxy in proxies)
                Assert.True(nginx.Addresses.Contains(proxy), $"{file}: {webfront.Name} trusts {proxy}, which is not nginx's fixed address ([{string.Join(", ", nginx.Addresses)}])");
            foreach (var network in networks)
            {
                var covered = PrivateRanges.Where(r => network.PrefixLength <= r.PrefixLength && network.Contains(r.BaseAddress)).ToList();
                Assert.True(covered.Count == 0, $"{file}: {webfront.Name} trusts {network}, the whole private range {string.Join(", ", covered)}");
                // A network holds other hosts than nginx: only nginx may connect to the WebFront.
                Assert.True(webfront.AdmittedFrom is { Count: > 0 } admitted && admitted.All(peer => peer is not null && peer.Count > 0
                        && peer.All(label => nginx.Labels.GetValueOrDefault(label.Key) == label.Value)),
                    $"{file}: {webfront.Name} trusts the network {network} but admits connections from more than nginx's pods " +
                    $"({(webfront.AdmittedFrom is null ? "no NetworkPolicy selects it" : "a NetworkPolicy admits other peers")})");
            }
        }
    }

    /// <summary>
    /// The load tool names a simulated buyer per request (X-Forwarded-For from loopback, through the loopback nginx):
    /// the AppHost's WebFronts read that second hop, its load-test configuration; the silos need no such setting.
    /// </summary>
    [Fact]
    public void The_AppHosts_WebFronts_read_the_load_tools_hop_too()
    {
        Assert.Equal("2", apphost.Settings["webfront"].GetValueOrDefault("ForwardedHeaders__ForwardLimit"));
        Assert.DoesNotContain(apphost.Settings["webfront"].Keys, k => k.StartsWith("ForwardedHeaders__Known")); // loopback, the default
    }

    public static TheoryData<string> NginxConfigurations => ["AppHost", "compose/nginx.conf", "k8s/ticketflow.yaml"];

    /// <summary>
    /// A location that sets any proxy header inherits none from the server block (nginx's rule), so the WebSocket
    /// location once passed no X-Forwarded-For and every hub client looked like nginx to the WebFront: 256 connections
    /// per WebFront in all (the per-address cap), found by the push-lag benchmark through the local cluster.
    /// </summary>
    [Theory, MemberData(nameof(NginxConfigurations))]
    public void Every_proxied_location_forwards_the_clients_address_scheme_and_host(string file)
    {
        var text = file == "AppHost" ? apphost.NginxConf : File.ReadAllText(Path.Combine(Manifest.Deploy, file));
        var server = Regex.Match(text, @"server\s*\{(?<body>.*)\}", RegexOptions.Singleline).Groups["body"].Value;
        var locations = Regex.Matches(server, @"location\s+(?<path>\S+)\s*\{(?<body>[^{}]*)\}").ToList();
        Assert.NotEmpty(locations);
        var serverLevel = Headers(Regex.Replace(server, @"location\s+\S+\s*\{[^{}]*\}", ""));
        foreach (var location in locations.Where(l => l.Groups["body"].Value.Contains("proxy_pass")))
        {
            var own = Headers(location.Groups["body"].Value);
            var effective = own.Count > 0 ? own : serverLevel;
            var missing = new[] { "Host", "X-Forwarded-For", "X-Forwarded-Proto" }.Where(h => !effective.Contains(h)).ToList();
            Assert.True(missing.Count == 0, $"{file}: location {location.Groups["path"].Value} does not pass {string.Join(", ", missing)}");
        }
        // One socket per hub client: negotiate's connection is not kept alive beside the WebSocket's.
        var hubs = locations.Single(l => l.Groups["path"].Value == "/hubs/").Groups["body"].Value;
        Assert.Matches(@"keepalive_timeout\s+0;", hubs);
    }

    private static HashSet<string> Headers(string block) =>
        Regex.Matches(block, @"proxy_set_header\s+(\S+)").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// deploy/AppHost's application model as its Program builds it (nothing is started): the processes by kind, each kind's
/// settings, the silos' endpoint names, the redis.conf it writes, and its default public port.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AppHostModel : IAsyncLifetime
{
    private readonly string state = Directory.CreateTempSubdirectory("tf-manifests-").FullName;

    public Dictionary<string, int> Processes { get; } = [];
    public Dictionary<string, Dictionary<string, string>> Settings { get; } = [];
    public HashSet<string> SiloEndpoints { get; } = [];
    public Dictionary<string, string> RedisConf { get; } = [];
    public int DefaultPort { get; private set; }
    public string NginxConf { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // An external PostgreSQL (no initdb) and port 0: the test gets the configured process counts without taking port 8080.
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TicketFlow_AppHost>(
            ["--TicketFlow:Postgres", "Host=127.0.0.1;Database=x", "--TicketFlow:Port", "0", "--TicketFlow:StateFolder", state, "--TicketFlow:Telemetry", "false",
             "--TicketFlow:ReadyToRun", "false"]);
        foreach (var resource in builder.Resources.OfType<ExecutableResource>())
        {
            var kind = Manifest.KindOf(resource.Name);
            Processes[kind] = Processes.GetValueOrDefault(kind) + 1;
            // What the resource would be started with (run mode); the logger is given: the model has no services yet.
            var configuration = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig()
                .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance);
            Assert.Null(configuration.Exception);
            Settings.TryAdd(kind, configuration.EnvironmentVariables.ToDictionary());
            if (kind == "silo") SiloEndpoints.UnionWith(resource.Annotations.OfType<EndpointAnnotation>().Select(e => e.Name));
        }
        // Given an external one, the AppHost runs no PostgreSQL of its own; by default it does, and so do the manifests.
        Processes.TryAdd("postgres", 1);
        foreach (var line in File.ReadAllLines(Path.Combine(state, "redis", "redis.conf")).Where(l => l.Contains(' ')))
            RedisConf[line[..line.IndexOf(' ')]] = line[(line.IndexOf(' ') + 1)..];
        NginxConf = File.ReadAllText(Path.Combine(state, "nginx", "nginx.conf"));
        using var appsettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Manifest.Deploy, "AppHost", "appsettings.json")));
        DefaultPort = appsettings.RootElement.GetProperty("TicketFlow").GetProperty("Port").GetInt32();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(state, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>One kind of process as a manifest runs it: a compose service or a Kubernetes workload.</summary>
/// <param name="Addresses">Fixed addresses (compose's <c>ipv4_address</c>).</param>
/// <param name="Labels">Its pods' labels (Kubernetes).</param>
/// <param name="AdmittedFrom">
/// Kubernetes: the peers the NetworkPolicies that select its pods admit, each a pod label selector (null: any peer);
/// null when no NetworkPolicy selects them (every peer is admitted).
/// </param>
public sealed record Workload(
    string Name, int Replicas, IReadOnlyDictionary<string, string?> Settings, IReadOnlyList<string> CommandLine,
    Func<string, bool> IsSecretFile, IReadOnlyDictionary<string, int> Ports, IReadOnlyList<int> Published,
    IReadOnlyList<string> Addresses, IReadOnlyDictionary<string, string?> Labels, IReadOnlyList<IReadOnlyDictionary<string, string?>?>? AdmittedFrom);

/// <summary>A deployment manifest's workloads, read with YamlDotNet's representation model.</summary>
public sealed class Manifest(string file, List<Workload> workloads)
{
    public static string Deploy { get; } = Path.Combine(LocalMachine.RepositoryRoot, "deploy");

    public IEnumerable<Workload> Of(string kind) => workloads.Where(w => KindOf(w.Name) == kind);
    public int Count(string kind) => Of(kind).Sum(w => w.Replicas);

    public Workload One(string kind)
    {
        var found = Of(kind).ToList();
        Assert.True(found.Count == 1, $"{file}: {found.Count} {kind} services or workloads, expected one");
        return found[0];
    }

    /// <summary>silo-2 (AppHost), silo2 (compose) and silo (Kubernetes) are all silos.</summary>
    public static string KindOf(string name) => Regex.Replace(name, @"-?\d+$", "");

    public static Manifest Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(Deploy, file))) stream.Load(reader);
        var documents = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        return new(file, file.StartsWith("compose") ? Compose(documents.Single()).ToList() : Kubernetes(documents).ToList());
    }

    private static IEnumerable<Workload> Compose(YamlMappingNode root)
    {
        var secrets = Fields(Get(root, "secrets")).Keys.ToHashSet();
        foreach (var (name, service) in Fields(Get(root, "services")))
        {
            var settings = Fields(Get(service, "environment")).ToDictionary(f => f.Key, f => (f.Value as YamlScalarNode)?.Value);
            // Compose mounts a service's secrets at /run/secrets/<name>.
            var mounted = Strings(Get(service, "secrets")).Where(secrets.Contains).Select(s => $"/run/secrets/{s}").ToHashSet();
            var published = Strings(Get(service, "ports")).Select(p => int.Parse(p.Split(':')[0])).ToList();
            var addresses = Fields(Get(service, "networks")).Values.Select(n => Text(n, "ipv4_address")).OfType<string>().ToList();
            yield return new(name, 1, settings, [.. Strings(Get(service, "entrypoint")), .. Strings(Get(service, "command"))],
                mounted.Contains, new Dictionary<string, int>(), published, addresses, new Dictionary<string, string?>(), null);
        }
    }

    private static IEnumerable<Workload> Kubernetes(List<YamlMappingNode> documents)
    {
        string? Kind(YamlNode d) => Text(d, "kind");
        string? Name(YamlNode d) => Text(Get(d, "metadata"), "name");
        var data = documents.Where(d => Kind(d) is "Secret" or "ConfigMap").ToDictionary(d => $"{Kind(d)}/{Name(d)}",
            d => Fields(Get(d, "stringData")).Concat(Fields(Get(d, "data"))).ToDictionary(f => f.Key, f => (f.Value as YamlScalarNode)?.Value));
        foreach (var workload in documents.Where(d => Kind(d) is "Deployment" or "StatefulSet"))
        {
            var pod = Get(Get(Get(workload, "spec"), "template"), "spec");
            var container = Assert.Single(Items(pod, "containers"));
            var settings = new Dictionary<string, string?>();
            foreach (var source in Items(container, "envFrom"))
            {
                var reference = Get(source, "secretRef") is { } secret ? $"Secret/{Text(secret, "name")}" : $"ConfigMap/{Text(Get(source, "configMapRef"), "name")}";
                Assert.True(data.ContainsKey(reference), $"{Name(workload)}'s envFrom names {reference}, which the manifest lacks");
                foreach (var (key, value) in data[reference]) settings[key] = value;
            }
            foreach (var variable in Items(container, "env")) settings[Text(variable, "name")!] = Text(variable, "value");
            // A file is from a secret when its folder is where a secret volume is mounted (kubectl create secret --from-file names it).
            var secretVolumes = Items(pod, "volumes").Where(v => Get(v, "secret") is not null).Select(v => Text(v, "name")).ToHashSet();
            var secretFolders = Items(container, "volumeMounts").Where(m => secretVolumes.Contains(Text(m, "name"))).Select(m => Text(m, "mountPath")).ToHashSet();
            var labels = Fields(Get(Get(Get(Get(workload, "spec"), "template"), "metadata"), "labels")).ToDictionary(f => f.Key, f => ((YamlScalarNode)f.Value).Value);
            bool Selects(YamlNode? selector) => Fields(Get(selector, "matchLabels")).All(f => labels.GetValueOrDefault(f.Key) == ((YamlScalarNode)f.Value).Value);
            // A NetworkPolicy's ingress rule without "from" admits any peer; a peer without a podSelector (ipBlock, namespaces) is not a pod of ours.
            var policies = documents.Where(d => Kind(d) == "NetworkPolicy" && Selects(Get(Get(d, "spec"), "podSelector"))).ToList();
            List<IReadOnlyDictionary<string, string?>?>? admitted = policies.Count == 0 ? null : [.. policies
                .SelectMany(p => Items(Get(p, "spec"), "ingress"))
                .SelectMany(rule => Get(rule, "from") is null ? [null] : Items(rule, "from").Select(peer => Get(peer, "podSelector") is { } pods && Get(peer, "namespaceSelector") is null
                    ? (IReadOnlyDictionary<string, string?>)Fields(Get(pods, "matchLabels")).ToDictionary(f => f.Key, f => ((YamlScalarNode)f.Value).Value)
                    : null))];
            // Published: the port of a LoadBalancer or NodePort Service that selects this workload's pods.
            var published = documents.Where(d => Kind(d) == "Service" && Text(Get(d, "spec"), "type") is "LoadBalancer" or "NodePort")
                .Where(s => Fields(Get(Get(s, "spec"), "selector")).All(f => labels.GetValueOrDefault(f.Key) == ((YamlScalarNode)f.Value).Value))
                .SelectMany(s => Items(Get(s, "spec"), "ports")).Select(p => int.Parse(Text(p, "port")!)).ToList();
            yield return new(Name(workload)!, int.Parse(Text(Get(workload, "spec"), "replicas") ?? "1"), settings,
                [.. Strings(Get(container, "command")), .. Strings(Get(container, "args"))],
                path => secretFolders.Contains(Path.GetDirectoryName(path)),
                Items(container, "ports").Where(p => Text(p, "name") is not null).ToDictionary(p => Text(p, "name")!, p => int.Parse(Text(p, "containerPort")!)),
                published, [], labels, admitted);
        }
    }

    /// <summary>A mapping's fields with compose's merge keys (<c>&lt;&lt;: *anchor</c>) applied; YamlDotNet resolves the anchors only.</summary>
    private static Dictionary<string, YamlNode> Fields(YamlNode? node)
    {
        var fields = new Dictionary<string, YamlNode>();
        if (node is not YamlMappingNode mapping) return fields;
        if (mapping.Children.TryGetValue(new YamlScalarNode("<<"), out var merged))
            foreach (var source in merged is YamlSequenceNode sources ? sources.Children : [merged])
                foreach (var (key, value) in Fields(source)) fields[key] = value;
        foreach (var (key, value) in mapping.Children.Where(c => ((YamlScalarNode)c.Key).Value != "<<"))
            fields[((YamlScalarNode)key).Value!] = value;
        return fields;
    }

    private static YamlNode? Get(YamlNode? node, string key) => Fields(node).GetValueOrDefault(key);
    private static string? Text(YamlNode? node, string key) => (Get(node, key) as YamlScalarNode)?.Value;
    private static IEnumerable<YamlNode> Items(YamlNode? node, string key) => (Get(node, key) as YamlSequenceNode)?.Children ?? [];
    private static IEnumerable<string> Strings(YamlNode? node) =>
        node is YamlSequenceNode sequence ? sequence.Children.Select(c => ((YamlScalarNode)c).Value!) : node is YamlScalarNode scalar ? [scalar.Value!] : [];

}
