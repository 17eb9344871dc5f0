using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketFlow.Runtime.Statistics;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>In cluster mode the breaker lives in the silos: readiness reads it from their reports (a fixed report source here).</summary>
public sealed class PaymentBreakerHealthCheckTests
{
    private sealed class Reports(params (string Silo, string Breaker)[] silos) : ISiloReports
    {
        public Task<IReadOnlyList<SiloReport>> GetSiloReportsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SiloReport>>(silos.Select(s => new SiloReport(s.Silo, "Active", new Dictionary<string, int>(), [], 0, 0, 0,
                new ProcessStats(0, 0, 0, 2, 1)) { Health = new Dictionary<string, string> { ["payments"] = s.Breaker } }).ToList());
    }

    private static Task<HealthCheckResult> CheckAsync(params (string, string)[] silos) =>
        new PaymentBreakerHealthCheck(new ServiceCollection().BuildServiceProvider(), new Reports(silos)).CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task Readiness_is_degraded_when_any_silos_payment_breaker_is_not_closed()
    {
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(("a:1", "closed"), ("b:2", "closed"))).Status);
        var degraded = await CheckAsync(("a:1", "closed"), ("b:2", "open"));
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("open", degraded.Data["b:2"]);
    }
}
