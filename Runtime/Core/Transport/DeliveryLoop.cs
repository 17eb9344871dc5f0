namespace TicketFlow.Runtime.Transport;

/// <summary>
/// Resends a call only while it is certain that no activation saw it (<see cref="NotDeliveredException"/>),
/// asking for a fresh membership view in between. Any other outcome goes to the caller as it is.
/// </summary>
internal static class DeliveryLoop
{
    public static async Task<object?> RunAsync(Func<Task<object?>> attempt, Action refreshMembership, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (NotDeliveredException error)
            {
                refreshMembership();
                try
                {
                    await Task.Delay(backoff, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    throw new SiloUnavailableException($"No silo accepted the call before its deadline: {error.Message}", error);
                }
                backoff = TimeSpan.FromMilliseconds(Math.Min(500, backoff.TotalMilliseconds * 2));
            }
        }
    }
}
