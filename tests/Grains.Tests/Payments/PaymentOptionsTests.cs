using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data;
using TicketFlow.Payments;

namespace TicketFlow.Grains.Tests.Payments;

public sealed class PaymentOptionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-gateway-di-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void The_simulator_defaults_succeed_80_percent_after_50_ms_with_fresh_randomness()
    {
        var options = new SimulatedGatewayOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Latency);
        Assert.Equal(0.15, options.DeclineRate);
        Assert.Equal(0.05, options.ErrorRate);
        Assert.Equal(0.80, 1 - options.DeclineRate - options.ErrorRate, precision: 10);
        Assert.Null(options.Seed);
    }

    [Fact]
    public void The_breaker_defaults_open_at_half_of_ten_calls_in_ten_seconds_for_five_seconds()
    {
        var options = new PaymentBreakerOptions();

        Assert.Equal(0.5, options.FailureRatio);
        Assert.Equal(10, options.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SamplingDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
    }

    [Fact]
    public void The_default_breaker_options_are_valid_for_polly()
    {
        var gateway = new ProtectedPaymentGateway(new SimulatedPaymentGateway(Database(), new SimulatedGatewayOptions()), new PaymentBreakerOptions());

        Assert.Equal(PaymentBreakerState.Closed, gateway.BreakerState);
    }

    [Theory]
    [InlineData(-0.1, 0.05)]
    [InlineData(0.15, 1.1)]
    [InlineData(0.6, 0.5)]
    public void Impossible_rates_are_refused(double declineRate, double errorRate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SimulatedPaymentGateway(Database(), new SimulatedGatewayOptions { DeclineRate = declineRate, ErrorRate = errorRate }));
    }

    [Fact]
    public async Task The_registered_gateway_is_the_protected_one_configured_from_the_payments_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Payments:Simulator:Latency"] = "00:00:00",
            ["Payments:Simulator:Seed"] = "7",
            ["Payments:Breaker:BreakDuration"] = "00:00:07",
        }).Build();
        var database = Database();
        await using var services = new ServiceCollection().AddPaymentGateway(configuration, _ => database).BuildServiceProvider();

        var gateway = services.GetRequiredService<IPaymentGateway>();

        Assert.Same(services.GetRequiredService<ProtectedPaymentGateway>(), gateway);
        var breaker = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PaymentBreakerOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(7), breaker.BreakDuration);
        Assert.Equal(10, breaker.MinimumThroughput); // unset keys keep their defaults
        var simulator = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SimulatedGatewayOptions>>().Value;
        Assert.Equal((TimeSpan.Zero, 7, 0.15), (simulator.Latency, simulator.Seed, simulator.DeclineRate));
        var payment = await gateway.CaptureAsync(new PaymentRequest("pay-di", "user-1", 100, "EUR", "success"), CancellationToken.None);
        Assert.Equal(payment, await gateway.GetAsync("pay-di", CancellationToken.None));
    }

    private SqlStoreDatabase Database() => SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "gateway.db")));
}
