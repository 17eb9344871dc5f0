using Microsoft.Extensions.Logging;

namespace TicketFlow.Runtime.Membership;

/// <summary>Keeps a fresh <see cref="MembershipView"/> by reading the table periodically, or at once when asked.</summary>
public sealed class MembershipWatcher(IMembershipTable table, TimeSpan refreshPeriod, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim kick = new(0, 1);
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private Task loop = Task.CompletedTask;

    public MembershipView Current { get; private set; } = MembershipView.Empty;

    /// <summary>Raised after <see cref="Current"/> changes, on the refreshing thread.</summary>
    public event Action<MembershipView>? ViewChanged;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        loop = Task.Run(RunAsync);
    }

    /// <summary>Asks the background loop to read the table now instead of at its next period.</summary>
    public void RequestRefresh()
    {
        if (kick.CurrentCount == 0) try { kick.Release(); } catch (SemaphoreFullException) { }
    }

    public async Task<MembershipView> RefreshAsync(CancellationToken cancellationToken)
    {
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            // Always keep the newest reading (heartbeat ages move on); only a change of silos or statuses is news.
            var previous = Current;
            var view = new MembershipView(await table.ReadAsync(cancellationToken));
            Current = view;
            if (view.Version != previous.Version || !view.SameSilosAs(previous)) ViewChanged?.Invoke(view);
            return view;
        }
        finally
        {
            refreshing.Release();
        }
    }

    private async Task RunAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await kick.WaitAsync(refreshPeriod, stopping.Token);
                await RefreshAsync(stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Reading the membership table failed; keeping view {Version}", Current.Version);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
    }
}
