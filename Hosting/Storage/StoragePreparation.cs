using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using TicketFlow.Data;
using TicketFlow.Data.Journal;
using TicketFlow.Data.Orders;
using TicketFlow.Data.Orleans;
using TicketFlow.Payments;

namespace TicketFlow.Hosting.Storage;

/// <summary>
/// First thing a silo does, before Orleans' storage and reminder providers read their queries: refuse a database written
/// by the old runtime, then apply Orleans' ADO.NET scripts, the journal tables and the checkout's stores (each once, under
/// the migrator's lock).
/// A database that is starting or restarting is waited out, one log line per attempt, up to <see cref="Patience"/>.
/// </summary>
internal sealed class StoragePreparation(ClusterStorage storage, IJournalStore journals, IOrderBook orders, SimulatedPaymentGateway payments,
    ILogger<StoragePreparation> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StoragePreparation), ServiceLifecycleStage.RuntimeInitialize, PrepareAsync);

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Patience;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LegacyRuntimeCheck.ThrowIfOldRuntimeAsync(storage.Database, cancellationToken);
                await OrleansSchema.MigrateAsync(storage.Database, cancellationToken);
                await journals.InitializeAsync(cancellationToken);
                await orders.InitializeAsync(cancellationToken); // the checkout grains' stores, before any grain runs
                await payments.InitializeAsync(cancellationToken);
                return;
            }
            catch (Exception error) when (DatabaseErrors.IsOutage(error) && DateTime.UtcNow < deadline)
            {
                logger.LogWarning("Waiting for the database (attempt {Attempt}): {Reason}", attempt, error.GetBaseException().Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempt)), cancellationToken);
            }
        }
    }
}
