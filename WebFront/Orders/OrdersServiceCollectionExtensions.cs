using TicketFlow.Data;
using TicketFlow.Data.Orders;
using TicketFlow.WebFront.Security;

namespace TicketFlow.WebFront.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>The order book on WebFront's database (PostgreSQL in cluster mode, SQLite embedded) and the ticket code signer.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOrderBook(sp => sp.GetRequiredService<SqlStoreDatabase>());
        services.AddSigningKey(configuration);
        services.AddSingleton<TicketCodes>();
        return services;
    }
}
