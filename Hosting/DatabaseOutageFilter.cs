using TicketFlow.Data;
using TicketFlow.Grains;

namespace TicketFlow.Hosting;

/// <summary>
/// A database outage that escapes a grain call (the order book or the payment gateway's table, during a restart) reaches
/// the caller as a <see cref="DatabaseUnavailableException"/>: a type every process knows and treats as transient (503),
/// instead of a driver exception the caller may not be able to deserialize.
/// </summary>
internal sealed class DatabaseOutageFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception error) when (error is not OrleansException && DatabaseErrors.IsOutage(error))
        {
            throw new DatabaseUnavailableException($"{context.TargetId}: the database is unavailable ({error.GetBaseException().Message}); retry later.", error);
        }
    }
}
