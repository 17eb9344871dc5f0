using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;
using Orleans.TestingHost;
using TicketFlow.Data;
using TicketFlow.Domain.Security;
using TicketFlow.Grains;
using TicketFlow.Hosting;
using TicketFlow.Hosting.Storage;
using TicketFlow.Payments;
using TicketFlow.Testing;
using TicketFlow.WebFront.Cluster;
using TicketFlow.WebFront.Security;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>
/// Three TicketFlow silos on Orleans' InProcessTestCluster and a cluster-mode WebFront whose Orleans client is that cluster's,
/// all on the tests' PostgreSQL. The silos' payment gateway is the simulated one wrapped in <see cref="ControllableGateway"/>,
/// so tests can pause a capture, and their grain state goes through one fault switch (a crash between capture and confirm).
/// </summary>
public sealed class PurchaseClusterFixture : IAsyncLifetime
{
    /// <summary>The test classes that share one cluster (and so run one after another).</summary>
    public const string Collection = "purchase cluster";

    public const string AdminEmail = "ops@ticketflow.test";
    public const string AdminPassword = "admin-password-1";
    private WebApplicationFactory<Program> web = null!;
    private BearerTokenMinter? minter;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public PurchaseApi Api { get; private set; } = null!;

    public ControllableGateway Gateway { get; } = new();

    /// <summary>Grain state writes anywhere in the cluster fail while this switch says so (inside the fence, as a real failure would).</summary>
    public FaultSwitch Faults { get; } = new();

    public SigningKey SigningKey { get; } = new(RandomNumberGenerator.GetBytes(32));

    public static IReadOnlyDictionary<string, string?> SiloSettings { get; } = new Dictionary<string, string?>
    {
        ["Payments:Simulator:Latency"] = "00:00:00.005",
        ["Checkout:ResumeAfter"] = "00:00:01",
        ["Checkout:ResumePeriod"] = "00:00:01",
        ["WaitingRoom:TickPeriod"] = "00:00:00.100",
    };

    public async Task InitializeAsync()
    {
        var dataSource = await TestDatabase.DataSourceAsync();
        Cluster = await TestSilos.StartAsync(new TestSiloOptions
        {
            Silos = 3,
            Settings = SiloSettings,
            ConfigureSilo = silo =>
            {
                silo.Services.AddSingleton(SigningKey);
                // One fault switch for the whole cluster, inside the fence (a failed write deactivates, as a real one would).
                silo.Services.AddKeyedSingleton<IGrainStorage>(StorageProviders.State, (sp, _) => new FencedGrainStorage(
                    new FaultInjectingGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(SiloHosting.AdoNetStateProvider), Faults),
                    sp.GetRequiredService<IGrainContextAccessor>()));
                silo.Services.AddSingleton<IPaymentGateway>(sp => Gateway.Wrap(sp.GetRequiredService<ProtectedPaymentGateway>(), Faults));
            },
        });
        web = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("TICKETFLOW_POSTGRES", dataSource.ConnectionString);
            host.UseSetting("TICKETFLOW_REDIS", "not-used:1"); // the Orleans client is the test cluster's (below)
            foreach (var (name, value) in ClusterCertificateFiles.ForTests.Settings) host.UseSetting(name, value);
            host.UseSetting("Cluster:ServiceId", Cluster.Options.ServiceId);
            host.UseSetting("TICKETFLOW_SIGNING_KEY", SigningKey.ToBase64());
            host.UseSetting("TICKETFLOW_ADMIN_EMAIL", AdminEmail);
            host.UseSetting("TICKETFLOW_ADMIN_PASSWORD", AdminPassword);
            host.UseSetting("RateLimits:Purchase:PermitLimit", "1000000");
            host.UseSetting("RateLimits:Auth:PermitLimit", "1000000");
            host.UseSetting("RateLimits:Register:PerIpPermitLimit", "1000000");
            host.UseSetting("RateLimits:Join:PerIpPermitLimit", "1000000");
            host.UseSetting("Purchases:MaxSeatsPerUserPerEvent", "100");
            host.UseSetting("Demo:Seed", "false");
            host.ConfigureTestServices(services =>
            {
                services.RemoveAll<ClusterClientConnection>();
                services.AddSingleton(ClusterClientConnection.ForClient(Cluster.Client));
            });
        });
        Api = new PurchaseApi(() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), AdminEmail, AdminPassword);
        await Api.AdminTokenAsync();
    }

    /// <summary>Real users with these ids (seeded straight into the users table) and bearer tokens for them, minted from
    /// WebFront's own key ring: thousands of buyers without hashing a password each.</summary>
    public async Task<Buyer[]> MintBuyersAsync(IEnumerable<string> userIds)
    {
        minter ??= BearerTokenMinter.Create(web.Services.GetRequiredService<SqlStoreDatabase>());
        var users = await minter.SeedUsersAsync(userIds);
        return [.. users.Select(user => new Buyer(user.Id, user.Email, minter.Mint(user, TimeSpan.FromHours(1))))];
    }

    /// <summary>WebFront's /metrics, from its management port.</summary>
    /// <summary>A client of the WebFront without cookies (for raw HTTP: headers, encodings).</summary>
    public HttpClient CreateClient() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    public Task<string> MetricsAsync() =>
        web.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(WebFrontHost.ManagementUrl) }).GetStringAsync("/metrics");

    public async Task DisposeAsync()
    {
        minter?.Dispose();
        await web.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(PurchaseClusterFixture.Collection)]
public sealed class PurchaseClusterCollection : ICollectionFixture<PurchaseClusterFixture>;
