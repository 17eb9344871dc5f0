namespace TicketFlow.Runtime.Activation;

/// <summary>An activation's in-memory timer. Each tick is a turn; the next tick is armed only after it ends.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly ActivationData activation;
    private readonly Func<CancellationToken, Task> callback;
    private readonly TimeSpan period;
    private readonly CancellationTokenSource disposed = new();
    private readonly ITimer timer;

    public GrainTimer(ActivationData activation, TimeProvider time, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        this.activation = activation;
        this.callback = callback;
        this.period = period;
        timer = time.CreateTimer(_ => Fire(), null, dueTime, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        if (disposed.IsCancellationRequested) return;
        var tick = activation.EnqueueTick("timer", _ => disposed.IsCancellationRequested ? Task.CompletedTask : callback(disposed.Token));
        tick?.ContinueWith(_ =>
        {
            if (!disposed.IsCancellationRequested && period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
                try { timer.Change(period, Timeout.InfiniteTimeSpan); } catch (ObjectDisposedException) { }
        }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        if (disposed.IsCancellationRequested) return;
        disposed.Cancel();
        timer.Dispose();
        activation.RemoveTimer(this);
    }
}
