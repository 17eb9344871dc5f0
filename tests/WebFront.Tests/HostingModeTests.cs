using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.WebFront.Tests;

public sealed class HostingModeTests
{
    [Fact]
    public async Task With_no_cluster_configured_WebFront_hosts_an_embedded_silo_on_SQLite()
    {
        var folder = Directory.CreateTempSubdirectory("tf-webfront-").FullName;
        try
        {
            await using (var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
                web.UseSetting("TICKETFLOW_DATA", Path.Combine(folder, "ticketflow.db"))))
            {
                var client = app.CreateClient();
                Assert.Equal("Healthy", await ReadyStatusAsync(client));
                Assert.Equal("Healthy", await client.GetStringAsync("/health/live"));
            }
            Assert.True(File.Exists(Path.Combine(folder, "ticketflow.db")));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task With_a_cluster_configured_WebFront_is_a_client_of_its_silos()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { InitialSilos = 2, GrainAssemblies = Grains.GrainAssemblies.All });
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("TICKETFLOW_POSTGRES", cluster.DataSource.ConnectionString);
            web.UseSetting("Cluster:ClusterId", cluster.Cluster.ClusterId);
            web.UseSetting("Cluster:ServiceId", cluster.Cluster.ServiceId);
            web.UseSetting("TICKETFLOW_SIGNING_KEY", Convert.ToBase64String(new byte[32]));
        });
        var client = app.CreateClient();
        Assert.Equal("Healthy", await ReadyStatusAsync(client));

        // Readiness follows the cluster: with no silo left, no grain call can be answered.
        foreach (var silo in cluster.Silos) await cluster.StopSiloAsync(silo);
        using var response = await client.GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private static async Task<string?> ReadyStatusAsync(HttpClient client) =>
        System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/health/ready")).RootElement.GetProperty("status").GetString();
}
