using Orleans.Runtime;

namespace TicketFlow.Grains;

/// <summary>The one rule for "may this failed grain call succeed if tried again later?", used by grains and WebFront alike.</summary>
public static class GrainCallFailures
{
    /// <summary>
    /// True for the cluster's own trouble: no silo or gateway reachable, a silo that died or shut down mid-call, a call that
    /// timed out (outcome unknown), a stale activation (<see cref="Orleans.Storage.InconsistentStateException"/>) or a failed
    /// storage write (<see cref="StorageWriteFailedException"/>) — every Orleans runtime failure derives from
    /// <see cref="OrleansException"/>. False for an exception the grain's own code threw (a bug or a refusal).
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        OrleansException or TimeoutException => true,
        AggregateException all => all.InnerExceptions.Count > 0 && all.InnerExceptions.All(IsTransient),
        _ => false,
    };
}
