using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data.Orders;
using TicketFlow.Domain.Security;
using TicketFlow.Testing;
using TicketFlow.WebFront.Orders;
using TicketFlow.WebFront.Security;

namespace TicketFlow.WebFront.Tests;

/// <summary>Where WebFront's ticket signing key comes from in each hosting mode.</summary>
public sealed class SigningKeyConfigurationTests
{
    [Fact]
    public async Task Embedded_WebFront_keeps_its_key_in_a_file_beside_the_database()
    {
        await using var host = new WebFrontHost();
        var code = await IssueAndReadCodeAsync(host);

        var file = Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "signing.key");
        Assert.NotNull(new TicketCodes(SigningKeyServiceCollectionExtensions.LoadOrCreate(file)).Verify(code)); // the file's key, so codes outlive a restart
    }

    [Fact]
    public async Task A_configured_key_signs_the_codes()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await using var host = new WebFrontHost(("TICKETFLOW_SIGNING_KEY", Convert.ToBase64String(key)));
        var code = await IssueAndReadCodeAsync(host);

        Assert.NotNull(new TicketCodes(new SigningKey(key)).Verify(code));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "signing.key")));
    }

    [Theory]
    [InlineData(null, "TICKETFLOW_SIGNING_KEY is not set")]
    [InlineData("c2hvcnQ=", "at least 32 bytes")]
    [InlineData("not base64!", "at least 32 bytes")]
    public void WebFront_will_not_start_in_a_cluster_without_a_usable_key(string? key, string message)
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            // Never reached: startup fails before anything connects.
            web.UseSetting("TICKETFLOW_REDIS", "127.0.0.1:1"); // cluster mode; these tests need no silo
            foreach (var (name, value) in ClusterCertificateFiles.ForTests.Settings) web.UseSetting(name, value);
            web.UseSetting("TICKETFLOW_POSTGRES", "Host=127.0.0.1;Port=1;Username=nobody");
            if (key is not null) web.UseSetting("TICKETFLOW_SIGNING_KEY", key);
        });
        var error = Assert.Throws<InvalidOperationException>(() => app.CreateClient());
        Assert.Contains(message, error.Message);
    }

    private static async Task<string> IssueAndReadCodeAsync(WebFrontHost host)
    {
        var email = $"keys-{Guid.NewGuid():N}@example.com";
        var token = await host.TokenAsync(email, "key-holder-12", register: true);
        var client = host.CreateClient(cookies: false);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var userId = JsonDocument.Parse(await client.GetStringAsync("/api/v1/me")).RootElement.GetProperty("id").GetString()!;
        var orderId = $"ord_{Guid.NewGuid():N}";
        await host.Factory.Services.GetRequiredService<IOrderBook>().IssueAsync(
            new NewOrder(orderId, userId, "evt_keys", [new OrderLine("standing", 1, 100)], "EUR", orderId, DateTimeOffset.UtcNow), CancellationToken.None);
        var tickets = JsonDocument.Parse(await client.GetStringAsync("/api/v1/me/tickets")).RootElement;
        return tickets[0].GetProperty("code").GetString()!;
    }
}
