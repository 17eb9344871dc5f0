using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Grains;
using TicketFlow.Grains.Payments;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Security;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.Runtime.Storage;
using TicketFlow.WebFront.Security;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>
/// Three silos with real transport on loopback and a cluster-mode WebFront, all on one real PostgreSQL. The silos'
/// payment gateway is the simulated one wrapped in <see cref="ControllableGateway"/>, so tests can pause a capture
/// and make the next grain write fail (a crash between capture and confirm).
/// </summary>
public sealed class PurchaseClusterFixture : IAsyncLifetime
{
    public const string AdminEmail = "ops@ticketflow.test";
    public const string AdminPassword = "admin-password-1";
    private FaultInjectingGrainStorage? faults;
    private WebApplicationFactory<Program> web = null!;
    private BearerTokenMinter? minter;

    public TestCluster Cluster { get; private set; } = null!;

    public PurchaseApi Api { get; private set; } = null!;

    public ControllableGateway Gateway { get; } = new();

    public FaultInjectingGrainStorage Faults => faults!;

    public SigningKey SigningKey { get; } = new(RandomNumberGenerator.GetBytes(32));

    public static IConfiguration SiloConfiguration { get; } = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Payments:Simulator:Latency"] = "00:00:00.005",
        ["Checkout:ResumeAfter"] = "00:00:01",
        ["Checkout:ResumePeriod"] = "00:00:01",
        ["WaitingRoom:TickPeriod"] = "00:00:00.100",
    }).Build();

    public async Task InitializeAsync()
    {
        var dataSource = await TestDatabase.DataSourceAsync();
        Cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            InitialSilos = 3,
            GrainAssemblies = GrainAssemblies.All,
            // One fault switch for the whole cluster: every silo's storage is the same PostgreSQL.
            WrapStorage = inner => faults ??= new FaultInjectingGrainStorage(inner),
            ConfigureServices = services =>
            {
                services.AddSingleton(SigningKey);
                services.AddPurchaseServices(SiloConfiguration, _ => SqlStoreDatabase.PostgreSql(dataSource));
                services.AddWaitingRoomServices(SiloConfiguration);
                services.AddSingleton<IPaymentGateway>(sp => Gateway.Wrap(sp.GetRequiredService<ProtectedPaymentGateway>(), Faults));
            },
        });
        web = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("TICKETFLOW_POSTGRES", Cluster.DataSource.ConnectionString);
            host.UseSetting("Cluster:ClusterId", Cluster.Cluster.ClusterId);
            host.UseSetting("Cluster:ServiceId", Cluster.Cluster.ServiceId);
            host.UseSetting("TICKETFLOW_SIGNING_KEY", SigningKey.ToBase64());
            host.UseSetting("TICKETFLOW_ADMIN_EMAIL", AdminEmail);
            host.UseSetting("TICKETFLOW_ADMIN_PASSWORD", AdminPassword);
            host.UseSetting("RateLimits:Purchase:PermitLimit", "1000000");
            host.UseSetting("RateLimits:Auth:PermitLimit", "1000000");
            host.UseSetting("RateLimits:Join:PerIpPermitLimit", "1000000");
            host.UseSetting("Purchases:MaxSeatsPerUserPerEvent", "100");
            host.UseSetting("Demo:Seed", "false");
        });
        Api = new PurchaseApi(() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), AdminEmail, AdminPassword);
        await Api.AdminTokenAsync();
    }

    /// <summary>A bearer token for a user id, minted from WebFront's own key ring: thousands of buyers without hashing a password each.</summary>
    public string MintToken(string userId) => (minter ??= BearerTokenMinter.Create(web.Services.GetRequiredService<SqlStoreDatabase>())).Mint(userId);

    public string Metrics() => web.Services.GetRequiredService<TicketFlow.Runtime.Statistics.PrometheusExporter>().Render();

    public async Task DisposeAsync()
    {
        minter?.Dispose();
        await web.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
