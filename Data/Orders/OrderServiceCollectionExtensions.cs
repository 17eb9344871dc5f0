using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TicketFlow.Data;

namespace TicketFlow.Data.Orders;

public static class OrderServiceCollectionExtensions
{
    /// <summary>The SQL order book on <paramref name="database"/>; its tables are created when the host starts. Registered once
    /// even when asked twice (an embedded silo and its WebFront share one).</summary>
    public static IServiceCollection AddOrderBook(this IServiceCollection services, Func<IServiceProvider, SqlStoreDatabase> database)
    {
        services.TryAddSingleton<IOrderBook>(sp => new SqlOrderBook(database(sp), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OrderBookBootstrap>());
        return services;
    }

    private sealed class OrderBookBootstrap(IOrderBook orders) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => orders.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
