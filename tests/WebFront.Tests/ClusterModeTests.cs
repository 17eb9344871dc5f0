using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Hosting;
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
        await using var web = ClusterWebFront();
        var api = new PurchaseApi(() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), AdminEmail, AdminPassword);

        // No silo yet: readiness says why, and a request that needs the cluster is a quick 503 with Retry-After.
        var notReady = await api.SendAsync(HttpMethod.Get, "/health/ready", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("Not connected to the cluster", notReady.Body.GetProperty("checks").GetProperty("cluster").GetProperty("description").GetString());
        var early = await api.SendAsync(HttpMethod.Get, "/api/v1/admin/cluster", await api.AdminTokenAsync());
        Assert.Equal((HttpStatusCode.ServiceUnavailable, ProblemCodes.Unavailable), (early.Status, early.Code));
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

        // Whichever silo hosted the tier, holds succeed again once the cluster has declared the dead one dead. Alone, this whole
        // test takes 10-12 s; a CI run where the on-sale smoke test's whole local cluster shared the two cores took over 30 s (a call that
        // reached the dead silo waits until it is declared dead, up to the 30 s response timeout). The property is that
        // holds come back, not how fast: the chaos runs measure that (docs/BENCHMARKS.md).
        await Eventually.Get(() => api.HoldAsync(buyer, eventId, [(tiers[0], 1)]), r => r.Status == HttpStatusCode.Created, TimeSpan.FromSeconds(90),
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

    /// <summary>A WebFront in cluster mode: an Orleans client of this test's silos, connecting in the background.</summary>
    private WebApplicationFactory<Program> ClusterWebFront() => new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
    {
        host.UseSetting("TICKETFLOW_POSTGRES", postgres);
        host.UseSetting("TICKETFLOW_REDIS", redis.ConnectionString);
        host.UseSetting("TICKETFLOW_SIGNING_KEY", signingKey);
        host.UseSetting("Cluster:ClusterId", clusterId);
        host.UseSetting("Cluster:ServiceId", serviceId);
        host.UseSetting("TICKETFLOW_ADMIN_EMAIL", AdminEmail);
        host.UseSetting("TICKETFLOW_ADMIN_PASSWORD", AdminPassword);
        host.UseSetting("RateLimits:Purchase:PermitLimit", "100000");
        host.UseSetting("RateLimits:Auth:PermitLimit", "1000"); // a sign-up per buyer, all from one address
        host.UseSetting("RateLimits:Register:PerIpPermitLimit", "1000");
        host.UseSetting("Demo:Seed", "false");
        foreach (var (name, value) in members.Settings) host.UseSetting(name, value);
    });

    [Fact]
    public async Task Redis_restarted_then_flushed_while_selling_loses_no_acknowledged_hold_and_sales_resume()
    {
        await using var web = ClusterWebFront();
        var api = new PurchaseApi(() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), AdminEmail, AdminPassword);
        silos.Add(StartSilo());
        silos.Add(StartSilo());
        await Task.WhenAll(silos.Select(s => s.ServingAsync()));
        await Eventually.Get(() => api.SendAsync(HttpMethod.Get, "/health/ready", null), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            "WebFront connected in the background");
        var (eventId, tiers) = await api.OnSaleEventAsync([1000]);
        var holds = 0;
        // Each hold is retried with its own Idempotency-Key until it is acknowledged: one effect per key, whatever failed meanwhile.
        async Task HoldAsync(int count, string when)
        {
            for (var i = 0; i < count; i++, holds++)
            {
                var (buyer, key) = (await api.SignUpAsync(), Guid.NewGuid().ToString("N")); // a buyer each: the per-person limit stays out of it
                await Eventually.Get(() => api.HoldAsync(buyer, eventId, [(tiers[0], 1)], key), r => r.Status == HttpStatusCode.Created,
                    TimeSpan.FromSeconds(30), $"a hold is acknowledged {when}");
            }
        }

        await HoldAsync(5, "before");
        await redis.RestartAsync(); // its append-only file keeps the membership table: a hiccup
        await HoldAsync(5, "after Redis restarted");
        Assert.All(silos, silo => Assert.False(silo.HasExited, silo.Output));

        await redis.CliAsync("FLUSHALL"); // the membership table is gone: each silo notices and exits to be started again
        foreach (var silo in silos)
            await Eventually.True(() => silo.HasExited, TimeSpan.FromSeconds(30), "the silo stops once its membership row is gone");
        Assert.All(silos, silo => Assert.Equal(75, silo.ExitCode));
        var restarted = silos.Select(silo => silo.StartAgain()).ToList();
        silos.AddRange(restarted);
        await Task.WhenAll(restarted.Select(s => s.ServingAsync()));
        await HoldAsync(5, "after Redis was flushed and the silos restarted");

        await api.CountsBecomeAsync(eventId, tiers[0], (1000 - holds, holds, 0)); // every acknowledged hold stored, none twice
    }

    [Fact]
    public async Task Every_silo_killed_with_SIGKILL_and_started_again_serves_with_no_previous_generation_left_Active()
    {
        await using var web = ClusterWebFront();
        var api = new PurchaseApi(() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }), AdminEmail, AdminPassword);
        silos.AddRange([StartSilo(), StartSilo(), StartSilo()]);
        await Task.WhenAll(silos.Select(s => s.ServingAsync()));
        await Eventually.Get(() => api.SendAsync(HttpMethod.Get, "/health/ready", null), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            "WebFront connected in the background");
        var (eventId, tiers) = await api.OnSaleEventAsync([100]);
        var buyer = await api.SignUpAsync();
        (await api.HoldAsync(buyer, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created);

        // The whole cluster dies at once and every silo starts again on its own ports, as a supervisor does: their old rows
        // are still Active, and a joining silo waits for every Active row to answer or be declared dead.
        await Task.WhenAll(silos.Select(s => s.KillAsync()));
        var restarted = silos.Select(s => s.StartAgain()).ToList();
        silos.AddRange(restarted);
        await Task.WhenAll(restarted.Select(s => s.ServingAsync()));

        var rows = await MembershipRowsAsync();
        Assert.Equal(6, rows.Count);
        Assert.Equal(restarted.Select(s => s.SiloPort).Order(), rows.Where(r => r.Status == "3").Select(r => r.Port).Order()); // Active: the new ones only
        Assert.Equal(3, rows.Count(r => r.Status == "6")); // Dead: the killed generations
        await Eventually.Get(() => api.HoldAsync(buyer, eventId, [(tiers[0], 1)]), r => r.Status == HttpStatusCode.Created, TimeSpan.FromSeconds(30),
            "holds succeed after the whole cluster started again");
        await api.CountsBecomeAsync(eventId, tiers[0], (98, 2, 0));
    }

    /// <summary>Orleans' membership rows in Redis as (silo port, status number: 3 Active, 6 Dead).</summary>
    private async Task<List<(int Port, string Status)>> MembershipRowsAsync()
    {
        var values = await redis.CliAsync("HVALS", $"{serviceId}/members/{clusterId}");
        return System.Text.RegularExpressions.Regex.Matches(values, "\"SiloAddress\":\"[^\"]*:(\\d+)@\\d+\"\\},\"Status\":(\\d+)")
            .Select(m => (int.Parse(m.Groups[1].Value), m.Groups[2].Value)).ToList();
    }

    [Fact]
    public async Task A_silo_started_while_Redis_is_down_waits_for_it_and_then_joins()
    {
        await redis.StopAsync();
        silos.Add(StartSilo());
        await Eventually.True(() => silos[0].HasExited || silos[0].Output.Contains("does not answer"), TimeSpan.FromSeconds(30),
            "the silo says it waits for Redis");
        Assert.False(silos[0].HasExited, silos[0].Output);

        await redis.StartAgainAsync();
        await silos[0].ServingAsync();
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
