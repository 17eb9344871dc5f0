using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TicketFlow.Testing;
using TicketFlow.WebFront.Tests.Purchases;

namespace TicketFlow.WebFront.Tests;

/// <summary>
/// Cluster mode as deployed: Silo processes whose membership is in a real redis-server (password, append-only file) and
/// whose state is in PostgreSQL, and a WebFront that is their Orleans client. It starts before any silo, connects in the
/// background, and survives a silo killed with SIGKILL.
/// </summary>
public sealed class ClusterModeTests : IAsyncLifetime
{
    private const string AdminEmail = "cluster-ops@ticketflow.test";
    private const string AdminPassword = "admin-password-1";
    private readonly string clusterId = TestDatabase.UniqueId("cluster");
    private readonly string serviceId = TestDatabase.UniqueId("service");
    private readonly string signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<SiloProcess> silos = [];
    private readonly string certificates = Directory.CreateTempSubdirectory("tf-certs-").FullName;
    private ThrowawayRedis redis = null!;
    private string postgres = null!;
    private ClusterCertificateFiles members = null!; // the cluster's CA and a member certificate

    public async Task InitializeAsync()
    {
        redis = await ThrowawayRedis.StartAsync();
        postgres = await TestDatabase.ConnectionStringAsync();
        members = ClusterCertificateFiles.Create(Path.Combine(certificates, "cluster"));
    }

    [Fact]
    public async Task A_WebFront_answers_503_until_silos_join_then_sells_and_survives_a_silo_killed_with_SIGKILL()
    {
        await using var web = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("TICKETFLOW_POSTGRES", postgres);
            host.UseSetting("TICKETFLOW_REDIS", redis.ConnectionString);
            host.UseSetting("TICKETFLOW_SIGNING_KEY", signingKey);
            host.UseSetting("Cluster:ClusterId", clusterId);
            host.UseSetting("Cluster:ServiceId", serviceId);
            host.UseSetting("TICKETFLOW_ADMIN_EMAIL", AdminEmail);
            host.UseSetting("TICKETFLOW_ADMIN_PASSWORD", AdminPassword);
            host.UseSetting("RateLimits:Purchase:PermitLimit", "100000");
            host.UseSetting("Demo:Seed", "false");
            foreach (var (name, value) in members.Settings) host.UseSetting(name, value);
        });
        var api = new PurchaseApi(() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), AdminEmail, AdminPassword);

        // No silo yet: readiness says why, and a request that needs the cluster is a quick 503 with Retry-After.
        var notReady = await api.SendAsync(HttpMethod.Get, "/health/ready", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("Not connected to the cluster", notReady.Body.GetProperty("checks").GetProperty("cluster").GetProperty("description").GetString());
        var early = await api.SendAsync(HttpMethod.Get, "/api/v1/admin/cluster", await api.AdminTokenAsync());
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unavailable"), (early.Status, early.Code));
        Assert.NotNull(early.Headers.RetryAfter);

        silos.Add(StartSilo());
        silos.Add(StartSilo());
        await Task.WhenAll(silos.Select(s => s.ServingAsync()));
        await Eventually.Get(() => api.SendAsync(HttpMethod.Get, "/health/ready", null), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            "WebFront connected in the background");
        var cluster = await api.SendAsync(HttpMethod.Get, "/api/v1/admin/cluster", await api.AdminTokenAsync());
        Assert.Equal(2, cluster.Body.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "Active"));

        // The Orleans Dashboard through WebFront's client: admins only; its counters come from the silos' collectors.
        var buyer = await api.SignUpAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters", null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters", buyer.Token)).Status);
        var adminToken = await api.AdminTokenAsync();
        await Eventually.Get(() => api.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters", adminToken),
            r => r.Status == HttpStatusCode.OK && r.Body.GetProperty("totalActiveHostCount").GetInt32() == 2, TimeSpan.FromSeconds(30),
            "the dashboard counts both silos");

        var (eventId, tiers) = await api.OnSaleEventAsync([100]);
        (await api.HoldAsync(buyer, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created);

        await silos[0].KillAsync();

        // Whichever silo hosted the tier, holds succeed again once the cluster has declared the dead one dead.
        await Eventually.Get(() => api.HoldAsync(buyer, eventId, [(tiers[0], 1)]), r => r.Status == HttpStatusCode.Created, TimeSpan.FromSeconds(30),
            "holds succeed after a silo was killed");
        await api.CountsBecomeAsync(eventId, tiers[0], (98, 2, 0));

        Assert.Equal(0, await silos[1].TerminateAsync()); // SIGTERM: a graceful leave
        await Eventually.Get(() => api.SendAsync(HttpMethod.Get, "/health/ready", null), r => r.Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "readiness follows the cluster: no silo left");
    }

    [Fact]
    public async Task Only_a_holder_of_the_clusters_certificate_can_connect_to_a_silo_or_a_gateway_or_call_a_grain()
    {
        silos.Add(StartSilo());
        await silos[0].ServingAsync();
        var outsider = ClusterCertificateFiles.Create(Path.Combine(certificates, "outsider"), "another cluster").Load();

        var member = members.Load();
        foreach (var port in new[] { silos[0].SiloPort, silos[0].GatewayPort })
        {
            // Both ports speak TLS, with a certificate of the cluster's CA...
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, chain, errors) =>
                    member.IssuedByAuthority(X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData()), chain, errors));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "silo", ClientCertificates = [member.Member],
                });
            }
            // ...and end a connection that shows none, or one the cluster's CA did not issue.
            await AssertRefusedAsync(port, clientCertificate: null);
            await AssertRefusedAsync(port, outsider.Member);
        }

        // Orleans clients find the gateway in membership: one without TLS, and one with the outsider's certificate, are refused.
        Assert.Contains("Unable to connect", (await Assert.ThrowsAnyAsync<Exception>(() => CallAGrainAsync(null))).Message);
        Assert.Contains("Unable to connect", (await Assert.ThrowsAnyAsync<Exception>(() => CallAGrainAsync(outsider))).Message);
        // The same client with the cluster's certificate calls a grain.
        Assert.Equal(1, await CallAGrainAsync(members.Load()));
    }

    /// <summary>A TLS connection that shows <paramref name="clientCertificate"/>: the silo ends it (TLS 1.3 reports a refused
    /// client certificate after the handshake, on the first read).</summary>
    private static async Task AssertRefusedAsync(int port, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        var refused = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "silo",
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            });
            var read = await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (read == 0) throw new IOException("closed by the silo");
        });
        Assert.True(refused is IOException or AuthenticationException, $"port {port} with {clientCertificate?.Subject ?? "no certificate"}: {refused}");
    }

    /// <summary>Starts an Orleans client of the test's cluster with <paramref name="tls"/> (or none), calls the ping grain, stops.</summary>
    private async Task<int> CallAGrainAsync(ClusterTls? tls)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => (tls is null ? client : tls.Apply(client))
            .UseRedisClustering(redis.ConnectionString)
            .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (clusterId, serviceId))
            .UseConnectionRetryFilter((_, _) => Task.FromResult(false))); // one attempt: a refusal must not be retried for minutes
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IPingGrain>("tls").Ping();
            return 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private SiloProcess StartSilo() => SiloProcess.Start(new Dictionary<string, string>(members.Settings)
    {
        ["TICKETFLOW_POSTGRES"] = postgres,
        ["TICKETFLOW_REDIS"] = redis.ConnectionString,
        ["TICKETFLOW_SIGNING_KEY"] = signingKey,
        ["Cluster__ClusterId"] = clusterId,
        ["Cluster__ServiceId"] = serviceId,
    });

    public async Task DisposeAsync()
    {
        foreach (var silo in silos) await silo.DisposeAsync();
        await redis.DisposeAsync();
        Directory.Delete(certificates, recursive: true);
    }
}
