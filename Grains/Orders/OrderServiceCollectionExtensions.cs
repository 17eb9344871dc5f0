using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Grains.Orders;

public static class OrderServiceCollectionExtensions
{
    /// <summary>The SQL order book on <paramref name="database"/>; its tables are created when the host starts.</summary>
    public static IServiceCollection AddOrderBook(this IServiceCollection services, Func<IServiceProvider, SqlStoreDatabase> database)
    {
        services.AddSingleton<IOrderBook>(sp => new SqlOrderBook(database(sp), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddHostedService<OrderBookBootstrap>();
        return services;
    }

    private sealed class OrderBookBootstrap(IOrderBook orders) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => orders.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
