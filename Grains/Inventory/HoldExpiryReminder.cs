using Orleans.Runtime;

namespace TicketFlow.Grains.Inventory;

/// <summary>
/// Keeps a tier's durable reminder due no later than its earliest hold's expiry, so holds expire (and their seats return)
/// when nobody calls, also after the hosting silo died: the reminder is taken over by another silo. Writes to the
/// reminder table happen only when the earliest expiry moves earlier, and one at a time in order, so a concurrent
/// "unregister" can never land after a newer "register".
/// </summary>
internal sealed class HoldExpiryReminder(Grain grain, TimeProvider time)
{
    public const string Name = "expire-holds";

    /// <summary>A fallback tick: each tick re-aims at the next expiry.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private DateTimeOffset? dueAt; // when the registered reminder fires next, as far as this activation knows (null: none)
    private Task writes = Task.CompletedTask;

    /// <summary>Aims the reminder at <paramref name="earliestExpiry"/> (or removes it when no hold is active). Await it before a hold is stored.</summary>
    public Task AimAsync(DateTimeOffset? earliestExpiry)
    {
        if (earliestExpiry is not { } expiry) return dueAt is null ? writes : Write(null, UnregisterAsync);
        if (dueAt is { } due && due <= expiry) return writes; // already aimed early enough (maybe still being written)
        var delay = expiry - time.GetUtcNow();
        return Write(expiry, () => grain.RegisterOrUpdateReminder(Name, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Period));
    }

    /// <summary>Aims the reminder before a new hold expiring at <paramref name="newHold"/> is stored, given the earliest expiry of the
    /// holds already active (null: none).</summary>
    public Task AimBeforeHoldAsync(DateTimeOffset newHold, DateTimeOffset? earliestActive) =>
        AimAsync(earliestActive is { } active && active < newHold ? active : newHold);

    /// <summary>The reminder fired: it stays registered and fires again one period from now.</summary>
    public void Fired() => dueAt = time.GetUtcNow() + Period;

    private Task Write(DateTimeOffset? newDueAt, Func<Task> write)
    {
        dueAt = newDueAt;
        return writes = AfterAsync(writes, write, newDueAt);
    }

    private async Task AfterAsync(Task previous, Func<Task> write, DateTimeOffset? newDueAt)
    {
        try { await previous; }
        catch (Exception) { /* its callers saw it; this write goes ahead */ }
        try
        {
            await write();
        }
        catch
        {
            if (dueAt == newDueAt) dueAt = null; // unknown whether it is registered: the next hold aims again
            throw;
        }
    }

    private async Task UnregisterAsync()
    {
        if (await grain.GetReminder(Name) is { } reminder) await grain.UnregisterReminder(reminder);
    }
}
