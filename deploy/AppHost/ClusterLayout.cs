using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace TicketFlow.AppHost;

public sealed record SiloPorts(int Index, int Port, int GatewayPort, int ManagementPort)
{
    public string Name => $"silo-{Index}";
}

public sealed record WebFrontPorts(int Index, int Port, int ManagementPort)
{
    public string Name => $"webfront-{Index}";
}

/// <summary>
/// Everything decided before the processes start: ports, the state folder and what is in it (the cluster's certificate
/// authority, the signing key, Redis' password, a fresh PostgreSQL data folder), and the settings every silo and
/// WebFront gets. Secrets are generated here and live only in the state folder (mode 600), never in the repository.
/// </summary>
public sealed class ClusterLayout
{
    public required ClusterOptions Options { get; init; }
    public required string RepositoryRoot { get; init; }
    public required string State { get; init; }
    public required int PublicPort { get; init; }
    public required int ControlPort { get; init; }
    public required string ControlToken { get; init; }
    public required int RedisPort { get; init; }
    public required string RedisPassword { get; init; }
    public required int? PostgresPort { get; init; }
    public required string SigningKey { get; init; }
    public required IReadOnlyList<SiloPorts> Silos { get; init; }
    public required IReadOnlyList<WebFrontPorts> WebFronts { get; init; }

    public bool OwnPostgres => PostgresPort is not null;

    /// <summary>The external PostgreSQL, or the cluster's own (fsync on, as PostgreSQL ships).</summary>
    public string PostgresConnectionString =>
        Options.Postgres ?? $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=ticketflow;Maximum Pool Size=60";
    public string RedisConnectionString => $"127.0.0.1:{RedisPort},password={RedisPassword},abortConnect=false";
    public string PublicUrl => $"http://127.0.0.1:{PublicPort}";
    public string ControlUrl => $"http://127.0.0.1:{ControlPort}";
    public string StateFile => Path.Combine(State, "cluster.json");
    public string Certificates => Path.Combine(State, "tls");
    public string PostgresData => Path.Combine(State, "pg", "data");
    public string Logs => Path.Combine(State, "logs");

    /// <summary>Settings every silo and WebFront reads (the names the compose and Kubernetes manifests use too).</summary>
    public IReadOnlyDictionary<string, string> SharedEnvironment => new Dictionary<string, string>
    {
        ["TICKETFLOW_POSTGRES"] = PostgresConnectionString,
        ["TICKETFLOW_REDIS"] = RedisConnectionString,
        ["TICKETFLOW_SIGNING_KEY"] = SigningKey,
        ["TICKETFLOW_CLUSTER_CERT"] = Path.Combine(Certificates, "member.crt"),
        ["TICKETFLOW_CLUSTER_KEY"] = Path.Combine(Certificates, "member.key"),
        ["TICKETFLOW_CLUSTER_CA"] = Path.Combine(Certificates, "ca.crt"),
        ["Cluster__ClusterId"] = Options.ClusterId,
        ["Cluster__ServiceId"] = Options.ServiceId,
    };

    public static ClusterLayout Prepare(ClusterOptions options)
    {
        var root = FindRepositoryRoot();
        var state = Path.GetFullPath(Path.IsPathRooted(options.StateFolder) ? options.StateFolder : Path.Combine(root, options.StateFolder));
        Directory.CreateDirectory(Path.Combine(state, "logs"));
        RequireTools(options);
        var ports = new PortPicker();
        var publicPort = options.Port == 0 ? ports.Next() : ports.Take(options.Port);
        var layout = new ClusterLayout
        {
            Options = options,
            RepositoryRoot = root,
            State = state,
            PublicPort = publicPort,
            ControlPort = ports.Next(),
            ControlToken = RandomSecret(),
            RedisPort = ports.Next(),
            RedisPassword = RandomSecret(),
            PostgresPort = options.Postgres is null ? ports.Next() : null,
            SigningKey = SecretFile(Path.Combine(state, "signing.key"), () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            Silos = Enumerable.Range(1, options.Silos).Select(i => new SiloPorts(i, ports.Next(), ports.Next(), ports.Next())).ToList(),
            WebFronts = Enumerable.Range(1, options.WebFronts).Select(i => new WebFrontPorts(i, ports.Next(), ports.Next())).ToList(),
        };
        if (layout.OwnPostgres) ServerFiles.CreatePostgresDatabase(layout);
        MakeCertificates(layout);
        ServerFiles.WriteRedisConfiguration(layout);
        ServerFiles.WriteNginxConfiguration(layout);
        return layout;
    }

    /// <summary>The cluster's own certificate authority and member certificate (deploy/cluster-certs.sh), made once per state folder.</summary>
    private static void MakeCertificates(ClusterLayout layout)
    {
        if (File.Exists(Path.Combine(layout.Certificates, "member.crt"))) return;
        Run("bash", [Path.Combine(layout.RepositoryRoot, "deploy", "cluster-certs.sh"), layout.Certificates, "local-cluster"]);
    }

    private static void RequireTools(ClusterOptions options)
    {
        var missing = new List<string>();
        if (!OnPath("redis-server")) missing.Add("redis-server");
        if (!OnPath("nginx")) missing.Add("nginx");
        if (!OnPath("openssl")) missing.Add("openssl");
        if (missing.Count > 0)
            throw new InvalidOperationException($"The local cluster runs {string.Join(", ", missing)} as processes: apt-get install -y {string.Join(' ', missing)}");
        if (options.Postgres is null && !File.Exists(Path.Combine(options.PostgresBin, "initdb")))
            throw new InvalidOperationException($"No PostgreSQL 15 in {options.PostgresBin} (apt-get install -y postgresql-15), or pass an external one: --TicketFlow:Postgres \"Host=...;Database=...\"");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, tool)));

    /// <summary>Runs a tool to completion; throws with its output when it fails.</summary>
    public static string Run(string command, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {output}{error.Result}");
        return output;
    }

    private static string RandomSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    /// <summary>A secret kept across runs of the same state folder (tokens signed before a restart stay valid).</summary>
    private static string SecretFile(string path, Func<string> create)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing) return existing;
        var secret = create();
        File.WriteAllText(path, secret);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "TicketFlow.sln"))) return folder.FullName;
        throw new InvalidOperationException("TicketFlow.sln not found above the working folder or the AppHost");
    }

    /// <summary>
    /// Free TCP ports below the ephemeral range (32768+), where outgoing connections take theirs: a silo started again on
    /// its old port must find it free.
    /// </summary>
    private sealed class PortPicker
    {
        private readonly HashSet<int> taken = [];

        public int Take(int port)
        {
            if (!IsFree(port)) throw new InvalidOperationException($"Port {port} is in use (choose another with --TicketFlow:Port, 0 for any)");
            taken.Add(port);
            return port;
        }

        public int Next()
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(20_000, 32_000);
                if (!taken.Contains(port) && IsFree(port)) { taken.Add(port); return port; }
            }
            throw new InvalidOperationException("No free port between 20000 and 32000");
        }

        private static bool IsFree(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
