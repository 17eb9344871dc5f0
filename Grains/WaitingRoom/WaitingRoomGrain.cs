using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using TicketFlow.Data.Journal;
using TicketFlow.Domain.Security;
using TicketFlow.Grains.Journaling;

namespace TicketFlow.Grains.WaitingRoom;

/// <summary>
/// Adapts <see cref="WaitingLine"/> to Orleans: every call decides on the line and is answered once the group commit that
/// stores its journal entries (and everything it saw) is durable, so a user told a ticket or a position is never lost.
/// A grain timer drives waves while the activation lives; a durable reminder brings the room (and its timer) back after
/// its silo dies.
/// </summary>
[Reentrant] // joins interleave at awaits, so many share one journal append
[GrainType(GrainType)]
public sealed class WaitingRoomGrain(IJournalStore journals, AdmissionTokens tokens, WaitingRoomOptions options, TimeProvider time,
    ILogger<WaitingRoomGrain> logger) : Grain, IWaitingRoomGrain, IRemindable
{
    /// <summary>The Orleans grain type: decided once, it names stored journals and reminders.</summary>
    public const string GrainType = "waiting-room";
    public const string JournalName = "line";
    private const string WaveReminder = "waves";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private WaitingLine? line; // null until a join or an admin brings the on-sale time
    private GroupCommit<WaitingRoomEvent> journal = null!;
    private IGrainTimer? ticker;
    private IDisposable? metrics;
    private RoomView? reported; // what the metrics see: refreshed by each tick, read from the scraper's thread

    private static int NewSeed() => RandomNumberGenerator.GetInt32(int.MaxValue);

    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = new JournalId(GrainType, this.GetPrimaryKeyString(), JournalName);
        var stored = await journals.ReadAsync(id, cancellationToken);
        var (snapshot, entries) = JournalFormat.Read<WaitingLineSnapshot, WaitingRoomEvent>(stored);
        // The first write of a room always carries a snapshot, so a stored room knows its on-sale time.
        line = snapshot is null ? null : WaitingLine.Restore(snapshot.TimeBase, options.Defaults, NewSeed, snapshot, entries, Now);
        journal = new GroupCommit<WaitingRoomEvent>(journals, id, stored.Version, stored.SnapshotVersion, GrainContext,
            () => line?.TakeChanges() ?? [], SnapshotIfDue, logger);
        if (line is not null) StartTicking();
    }

    public async Task<QueueStatus> Join(string userId, RoomTerms terms)
    {
        var room = await OpenAsync(terms);
        var now = Now;
        var joined = room.Join(userId, now);
        return await journal.Acknowledge(Present(room.Status(joined.Ticket, now, touch: true)!));
    }

    public Task<QueueStatus?> Status(long ticket, string userId)
    {
        var status = line?.StatusFor(userId, ticket, Now);
        return journal.Acknowledge(status is null ? null : Present(status));
    }

    public Task<bool> Leave(long ticket, string userId)
    {
        return journal.Acknowledge(line?.LeaveFor(userId, ticket, Now) ?? false);
    }

    public Task CheckoutCompleted(string userId)
    {
        line?.Complete(userId, Now);
        return journal.WhenDurable();
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
        room.Configure(settings, Now);
        return await journal.Acknowledge(View());
    }

    public Task<RoomView> GetView() => journal.Acknowledge(View());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being called is the point: the activation (and its timer) is back. Catch up at once.
        if (reminderName == WaveReminder && line is not null) await TickAsync(CancellationToken.None);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics?.Dispose();
        return Task.CompletedTask;
    }

    private async Task<WaitingLine> OpenAsync(RoomTerms terms)
    {
        if (line is not null) return line;
        // The reminder first (I/O before any change): a stored room always comes back after its silo dies.
        await this.RegisterOrUpdateReminder(WaveReminder, ReminderPeriod, ReminderPeriod);
        if (line is not null) return line; // another call opened it meanwhile
        line = new WaitingLine(terms.OnSaleAt, options.Defaults, NewSeed);
        StartTicking();
        logger.LogInformation("WaitingRoom {GrainKey} created; on sale at {OnSaleAt}", this.GetPrimaryKeyString(), terms.OnSaleAt);
        return line;
    }

    // The first write carries a snapshot (it holds the on-sale time); later ones once replay would get long.
    private object? SnapshotIfDue(long sinceSnapshot) =>
        line is not null && (journal.SnapshotVersion == 0 || sinceSnapshot > 10_000 + 2L * line.Tickets) ? line.ToSnapshot() : null;

    private void StartTicking()
    {
        ticker ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(options.TickPeriod, options.TickPeriod) { Interleave = true });
        reported ??= View();
        metrics ??= WaitingRoomMetrics.Track(this.GetPrimaryKeyString(), () => reported);
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var result = line!.Tick(Now);
        await journal.WhenDurable();
        reported = View();
        if (result.Admitted > 0 || result.Dropped > 0 || result.Expired > 0)
            logger.LogDebug("WaitingRoom {GrainKey}: admitted {Admitted}, dropped {Dropped}, expired {Expired}", this.GetPrimaryKeyString(),
                result.Admitted, result.Dropped, result.Expired);
    }

    private QueueStatus Present(LineStatus status)
    {
        var admitted = status.MayShop;
        return new QueueStatus(status.Ticket, status.State.ToString().ToLowerInvariant(), status.Position, status.AheadOfYou ?? 0, status.EtaSeconds,
            admitted ? tokens.Issue(this.GetPrimaryKeyString(), status.UserId, status.AdmissionExpiresAt!.Value) : null,
            admitted ? status.AdmissionExpiresAt : null, line!.OnSaleAt);
    }

    private RoomView View()
    {
        var now = Now;
        if (line is null) return new RoomView(this.GetPrimaryKeyString(), false, false, 0, 0, 0, 0, 0, null, null, options.Defaults.WaveSize,
            (int)options.Defaults.WaveInterval.TotalSeconds, options.Defaults.MaxActive, null);
        var waits = line.WaitTimes();
        return new RoomView(this.GetPrimaryKeyString(), line.IsOpen, line.Settings.Paused, line.Waiting, line.Active, line.AdmittedTotal, line.DroppedTotal,
            line.AdmittedInLastMinute(now), waits?.P50.TotalSeconds, waits?.P95.TotalSeconds, line.Settings.WaveSize,
            (int)line.Settings.WaveInterval.TotalSeconds, line.Settings.MaxActive, line.NextWaveAt);
    }
}
