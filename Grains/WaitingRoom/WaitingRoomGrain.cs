using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using TicketFlow.Grains.Security;
using TicketFlow.Runtime;

namespace TicketFlow.Grains.WaitingRoom;

/// <summary>
/// Adapts <see cref="WaitingLine"/> to the runtime: joins and other changes are journal entries, acknowledged after the
/// group commit that stores them (a user told their position is never lost); a grain timer drives waves while the
/// activation lives and a durable reminder brings the room back (and its timer) after a silo dies.
/// </summary>
[GrainType("WaitingRoom")]
public sealed class WaitingRoomGrain(
    [PersistentState("line")] IJournaledState<WaitingLineSnapshot, WaitingRoomChange> journal,
    AdmissionTokens tokens,
    WaitingRoomOptions options,
    ILogger<WaitingRoomGrain> logger) : Grain, IWaitingRoomGrain, IRemindable
{
    private const string WaveReminder = "waves";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private WaitingLine? line; // null until a join or an admin brings the on-sale time
    private IDisposable? ticker;
    private IDisposable? metrics;
    private RoomView? reported; // what the metrics see: refreshed by each tick, read from the scraper's thread

    private static int NewSeed() => RandomNumberGenerator.GetInt32(int.MaxValue);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The first write of a room always carries a snapshot, so a stored room knows its on-sale time.
        line = journal.Recover((snapshot, entries) => snapshot is null
            ? null
            : WaitingLine.Restore(snapshot.TimeBase, options.Defaults, NewSeed, snapshot, entries, Time.GetUtcNow()));
        if (line is not null) StartTicking();
        return Task.CompletedTask;
    }

    public async Task<QueueStatus> Join(string userId, RoomTerms terms)
    {
        var room = await OpenAsync(terms);
        var now = Time.GetUtcNow();
        var joined = room.Join(userId, now);
        JournalChanges();
        return Present(room.Status(joined.Ticket, now, touch: true)!);
    }

    public Task<QueueStatus?> Status(long ticket, string userId)
    {
        var status = line?.Status(ticket, Time.GetUtcNow(), touch: true);
        return Task.FromResult(status is not null && status.UserId == userId ? Present(status) : null);
    }

    public Task<bool> Leave(long ticket, string userId)
    {
        if (line?.Status(ticket, Time.GetUtcNow(), touch: false) is not { } status || status.UserId != userId) return Task.FromResult(false);
        var left = line.Leave(ticket, Time.GetUtcNow());
        JournalChanges();
        return Task.FromResult(left);
    }

    public Task CheckoutCompleted(string userId)
    {
        if (line is not null && line.Complete(userId, Time.GetUtcNow())) JournalChanges();
        return Task.CompletedTask;
    }

    public async Task<RoomView> Configure(RoomSettingsChange change, RoomTerms terms)
    {
        var room = await OpenAsync(terms);
        var settings = room.Settings with
        {
            Paused = change.Paused ?? room.Settings.Paused,
            WaveSize = change.WaveSize ?? room.Settings.WaveSize,
            WaveInterval = change.WaveIntervalSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : room.Settings.WaveInterval,
            MaxActive = change.MaxActive ?? room.Settings.MaxActive,
        };
        room.Configure(settings, Time.GetUtcNow());
        JournalChanges();
        return View();
    }

    public Task<RoomView> GetView() => Task.FromResult(View());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being called is the point: the activation (and its timer) is back. Catch up at once.
        if (reminderName == WaveReminder && line is not null) await TickAsync(CancellationToken.None);
    }

    private async Task<WaitingLine> OpenAsync(RoomTerms terms)
    {
        if (line is not null) return line;
        line = new WaitingLine(terms.OnSaleAt, options.Defaults, NewSeed);
        await RegisterOrUpdateReminder(WaveReminder, ReminderPeriod, ReminderPeriod);
        StartTicking();
        logger.LogInformation("WaitingRoom {GrainKey} created; on sale at {OnSaleAt}", GetPrimaryKeyString(), terms.OnSaleAt);
        return line;
    }

    private void JournalChanges()
    {
        var room = line!;
        var changes = room.TakeChanges();
        foreach (var change in changes) journal.Append(change);
        // The first write carries a snapshot (it holds the on-sale time); later ones once replay would get long.
        var sinceSnapshot = journal.Version + journal.PendingCount - journal.SnapshotVersion;
        if (changes.Count > 0 && (journal.SnapshotVersion == 0 || sinceSnapshot > 10_000 + 2L * room.Tickets)) journal.SaveSnapshot(room.ToSnapshot());
    }

    private void StartTicking()
    {
        ticker ??= RegisterTimer(TickAsync, options.TickPeriod, options.TickPeriod);
        reported ??= View();
        metrics ??= WaitingRoomMetrics.Track(GetPrimaryKeyString(), () => reported);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics?.Dispose();
        return Task.CompletedTask;
    }

    // A timer tick is a turn of its own; it is not a group-commit call, so it stores its entries before it ends.
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var result = line!.Tick(Time.GetUtcNow());
        JournalChanges();
        await journal.WriteStateAsync();
        reported = View();
        if (result.Admitted > 0 || result.Dropped > 0 || result.Expired > 0)
            logger.LogDebug("WaitingRoom {GrainKey}: admitted {Admitted}, dropped {Dropped}, expired {Expired}", GetPrimaryKeyString(),
                result.Admitted, result.Dropped, result.Expired);
    }

    private QueueStatus Present(LineStatus status)
    {
        var admitted = status.State == QueueState.Admitted && status.AdmissionExpiresAt is { } expires;
        return new QueueStatus(status.Ticket, status.State.ToString().ToLowerInvariant(), status.Position, status.AheadOfYou ?? 0, status.EtaSeconds,
            admitted ? tokens.Issue(GetPrimaryKeyString(), status.UserId, status.AdmissionExpiresAt!.Value) : null,
            admitted ? status.AdmissionExpiresAt : null, line!.OnSaleAt);
    }

    private RoomView View()
    {
        var now = Time.GetUtcNow();
        if (line is null) return new RoomView(GetPrimaryKeyString(), false, false, 0, 0, 0, 0, 0, null, null, options.Defaults.WaveSize,
            (int)options.Defaults.WaveInterval.TotalSeconds, options.Defaults.MaxActive, null);
        var waits = line.WaitTimes();
        return new RoomView(GetPrimaryKeyString(), line.IsOpen, line.Settings.Paused, line.Waiting, line.Active, line.AdmittedTotal, line.DroppedTotal,
            line.AdmittedInLastMinute(now), waits?.P50.TotalSeconds, waits?.P95.TotalSeconds, line.Settings.WaveSize,
            (int)line.Settings.WaveInterval.TotalSeconds, line.Settings.MaxActive, line.NextWaveAt);
    }
}
