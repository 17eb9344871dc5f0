using TicketFlow.Data;
using TicketFlow.Data.Transfers;

namespace TicketFlow.WebFront.Transfers;

public static class TransfersServiceCollectionExtensions
{
    /// <summary>The transfer book on the order book's database (section <c>Transfers</c>: the offer lifetime).</summary>
    public static IServiceCollection AddTransfers(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TransferOptions>(configuration.GetSection(TransferOptions.Section));
        services.AddTransferBook(sp => sp.GetRequiredService<SqlStoreDatabase>());
        return services;
    }
}
