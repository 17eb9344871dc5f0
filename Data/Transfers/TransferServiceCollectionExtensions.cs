using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TicketFlow.Data.Transfers;

public static class TransferServiceCollectionExtensions
{
    /// <summary>The SQL transfer book on <paramref name="database"/> (the order book's: an accept moves a ticket in the same
    /// transaction); its table is created when the host starts. Options from <see cref="TransferOptions"/>.</summary>
    public static IServiceCollection AddTransferBook(this IServiceCollection services, Func<IServiceProvider, SqlStoreDatabase> database)
    {
        services.TryAddSingleton<ITransferBook>(sp => new SqlTransferBook(database(sp), sp.GetRequiredService<IOptions<TransferOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TransferBookBootstrap>());
        return services;
    }

    private sealed class TransferBookBootstrap(ITransferBook transfers) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => transfers.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
