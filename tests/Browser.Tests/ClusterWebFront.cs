using System.Security.Cryptography;
using TicketFlow.Testing;

namespace TicketFlow.Browser.Tests;

/// <summary>
/// One run through the local cluster: a real Silo process (membership in a throwaway redis-server, state in PostgreSQL from
/// <c>TICKETFLOW_TEST_PG</c> or a throwaway server, mutual TLS with the cluster's own certificates) and a WebFront process in
/// cluster mode as its Orleans client. No demo events: the catalog table is shared by every test on a TICKETFLOW_TEST_PG
/// database (create the events a test needs through the API, or override <see cref="Settings"/> with Demo__Seed=true).
/// </summary>
public class ClusterWebFront : WebFrontSite
{
    private readonly string certificates = LocalMachine.FreshTempFolder("tf-browser-certs-");
    private readonly string clusterId = TestDatabase.UniqueId("browser-cluster");
    private readonly string serviceId = TestDatabase.UniqueId("browser-service");
    private readonly string signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private ThrowawayRedis? redis;

    /// <summary>The silo process (its <see cref="AppProcess.Output"/> says what went wrong).</summary>
    public AppProcess Silo { get; private set; } = null!;

    /// <summary>WebFront settings on top of the defaults (environment variable names, <c>Section__Key</c>); a subclass overrides it.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected override async Task StartAsync()
    {
        var database = TestDatabase.ConnectionStringAsync();
        redis = await ThrowawayRedis.StartAsync();
        var members = ClusterCertificateFiles.Create(certificates);
        var cluster = new Dictionary<string, string>(members.Settings)
        {
            ["TICKETFLOW_POSTGRES"] = await database,
            ["TICKETFLOW_REDIS"] = redis.ConnectionString,
            ["TICKETFLOW_SIGNING_KEY"] = signingKey,
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__ServiceId"] = serviceId,
        };
        Silo = AppProcess.Start("TicketFlow.Silo", new Dictionary<string, string>(cluster)
        {
            ["Silo__Port"] = LocalMachine.FreePort().ToString(),
            ["Silo__GatewayPort"] = LocalMachine.FreePort().ToString(),
            ["Management__Port"] = LocalMachine.FreePort().ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        });
        // The WebFront connects in the background: both start at once, and it is ready when the silo serves.
        var settings = new Dictionary<string, string>(CommonSettings) { ["Demo__Seed"] = "false" };
        foreach (var (name, value) in cluster.Concat(Settings)) settings[name] = value;
        try
        {
            await StartWebFrontAsync(settings);
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{error.Message}\n--- the silo said:\n{Silo.Output}", error);
        }
    }

    protected override async Task StopAsync()
    {
        if (Silo is not null) await Silo.DisposeAsync();
        if (redis is not null) await redis.DisposeAsync();
        Directory.Delete(certificates, recursive: true);
    }
}
