using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data;
using TicketFlow.Data.Orders;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Payments;

namespace TicketFlow.Grains.Purchases;

public static class PurchaseServiceCollectionExtensions
{
    /// <summary>What the purchase grains need in a silo: the order book, the payment gateway behind its breaker, the saga's options.</summary>
    public static IServiceCollection AddPurchaseServices(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, SqlStoreDatabase> database) =>
        services.AddOrderBook(database).AddCheckoutServices(configuration, database);

    /// <summary>The checkout saga's own needs, for a host that registers the order book itself (embedded WebFront).</summary>
    public static IServiceCollection AddCheckoutServices(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, SqlStoreDatabase> database)
    {
        services.AddSingleton(configuration.GetSection("Checkout").Get<CheckoutOptions>() ?? new CheckoutOptions());
        return services.AddPaymentGateway(configuration, database)
            .AddHostedService<PaymentBreakerReporter>(); // the breaker's state reaches every WebFront's readiness
    }
}
