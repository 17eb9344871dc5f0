using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketFlow.Data;

namespace TicketFlow.Payments;

public static class PaymentServiceCollectionExtensions
{
    /// <summary>The simulated gateway behind its circuit breaker as <see cref="IPaymentGateway"/>; the same
    /// <see cref="ProtectedPaymentGateway"/> instance is registered by its own type so health checks can read the breaker.</summary>
    public static IServiceCollection AddPaymentGateway(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, SqlStoreDatabase> database)
    {
        services.AddOptions<SimulatedGatewayOptions>().Bind(configuration.GetSection(SimulatedGatewayOptions.Section));
        services.AddOptions<PaymentBreakerOptions>().Bind(configuration.GetSection(PaymentBreakerOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SimulatedPaymentGateway(
            database(sp), sp.GetRequiredService<IOptions<SimulatedGatewayOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var gateway = new ProtectedPaymentGateway(sp.GetRequiredService<SimulatedPaymentGateway>(), sp.GetRequiredService<IOptions<PaymentBreakerOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ProtectedPaymentGateway>>());
            PaymentMetrics.Observe(gateway);
            return gateway;
        });
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<ProtectedPaymentGateway>());
        services.AddHostedService<PaymentGatewayBootstrap>();
        return services;
    }

    /// <summary>Creates the gateway's table at startup, like the other stores, so a broken database shows before the first sale.</summary>
    private sealed class PaymentGatewayBootstrap(SimulatedPaymentGateway gateway) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => gateway.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
