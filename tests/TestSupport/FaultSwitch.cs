namespace TicketFlow.Testing;

/// <summary>One switch for a whole test cluster: the next N writes that pass through any wrapper holding it fail.</summary>
public sealed class FaultSwitch
{
    private int failuresToInject;

    /// <summary>The next <paramref name="count"/> writes throw <see cref="InjectedFaultException"/> and store nothing.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref failuresToInject, count);

    /// <summary>True (and one fewer left) when this write is to fail.</summary>
    public bool Trip()
    {
        var left = Volatile.Read(ref failuresToInject);
        while (left > 0)
        {
            if (Interlocked.CompareExchange(ref failuresToInject, left - 1, left) == left) return true;
            left = Volatile.Read(ref failuresToInject);
        }
        return false;
    }
}

public sealed class InjectedFaultException() : Exception("Injected storage fault: nothing was written.");
