using TicketFlow.Runtime;

namespace TicketFlow.Runtime.Tests.Grains;

/// <summary>A journaled counter: every call appends one entry, every fifth write also stores a snapshot.</summary>
public interface ITallyGrain : IGrainWithStringKey
{
    [GroupCommit]
    Task<long> Add(int amount);

    [ReadOnly]
    Task<long> Total();

    Task Deactivate();
}

public sealed record TallySnapshot(long Total);

public sealed record TallyEntry(int Amount);

public sealed class TallyGrain([PersistentState("tally")] IJournaledState<TallySnapshot, TallyEntry> journal) : Grain, ITallyGrain
{
    private long total;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        total = journal.Recover((snapshot, entries) => (snapshot?.Total ?? 0) + entries.Sum(e => e.Amount));
        return Task.CompletedTask;
    }

    public Task<long> Add(int amount)
    {
        total += amount;
        journal.Append(new TallyEntry(amount));
        if (journal.Version + journal.PendingCount - journal.SnapshotVersion >= 5) journal.SaveSnapshot(new TallySnapshot(total));
        return Task.FromResult(total);
    }

    public Task<long> Total() => Task.FromResult(total);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
