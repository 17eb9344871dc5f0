using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Grains.Orders;
using TicketFlow.Grains.Payments;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Grains.Purchases;

public static class PurchaseServiceCollectionExtensions
{
    /// <summary>What the purchase grains need in a silo: the order book, the payment gateway behind its breaker, the saga's options.</summary>
    public static IServiceCollection AddPurchaseServices(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, SqlStoreDatabase> database)
    {
        services.AddSingleton(configuration.GetSection("Checkout").Get<CheckoutOptions>() ?? new CheckoutOptions());
        services.AddOrderBook(database);
        services.AddPaymentGateway(configuration, database);
        return services;
    }
}
