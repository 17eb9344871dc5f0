using TicketFlow.Testing;
using System.Net;
using TicketFlow.Grains.Diagnostics;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>In cluster mode the breakers live in the silos: each reports its own, and any WebFront's readiness shows them all.</summary>
[Collection(PurchaseClusterFixture.Collection)]
public sealed class PaymentBreakerHealthCheckTests(PurchaseClusterFixture fixture)
{
    [Fact]
    public async Task Readiness_shows_every_silos_payment_breaker_and_is_degraded_while_any_is_not_closed()
    {
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToString()).ToList();
        var ready = await Eventually.Get(() => fixture.Api.SendAsync(HttpMethod.Get, "/health/ready", null),
            r => silos.All(s => r.Body.GetProperty("checks").GetProperty("payments").GetProperty("data").TryGetProperty(s, out _)), TimeSpan.FromSeconds(20),
            "every silo reported its breaker");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.Status, ready.Body.GetProperty("checks").GetProperty("payments").GetProperty("status").GetString()));

        // What a silo whose breaker opened reports (the silos' own reporters keep sending "closed").
        await fixture.Grains.GetGrain<IClusterHealthGrain>(IClusterHealthGrain.Key).Report(new DependencyReport("S10.0.0.9:11111:1", "payments", "open", DateTimeOffset.UtcNow));
        var degraded = (await fixture.Api.SendAsync(HttpMethod.Get, "/health/ready", null)).Body.GetProperty("checks").GetProperty("payments");

        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
        Assert.Equal("open", degraded.GetProperty("data").GetProperty("S10.0.0.9:11111:1").GetString());
    }
}
