using System.Runtime.InteropServices;

namespace TicketFlow.Domain.WaitingRoom;

/// <summary>
/// The waiting room of one high-demand event as a plain state machine: no runtime, no I/O, time passed in, and
/// randomness only from the seed source given to it. Every change is a <see cref="WaitingRoomEvent"/> applied by
/// <see cref="Apply"/>, the same code that replays the journal. Users live in arrays indexed by ticket − 1 (no object
/// per user); a Fenwick tree over queue slots (1 = still waiting) gives every waiting user's exact position.
/// </summary>
/// <remarks>
/// Slots: at opening the pre-queue (everyone who joined before) is shuffled into slots 0..P−1; a later joiner's slot is
/// their index, so it needs no mapping. Waves admit waiting users in slot order. A user holds one live ticket; joining
/// again returns it, unless it ended without a purchase (left, dropped, expired): then the user queues again at the back.
/// </remarks>
public sealed class WaitingLine
{
    private const int InitialCapacity = 16;
    private const int RecentWaitsKept = 10_000;
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(5);

    private readonly DateTimeOffset timeBase; // the on-sale time; per-user times are whole seconds after it
    private readonly Func<int> seeds;
    private readonly Dictionary<string, int> latestIndex = new(StringComparer.Ordinal);
    private string[] userIds = new string[InitialCapacity];
    private int[] joinedAt = new int[InitialCapacity];
    private int[] lastPoll = new int[InitialCapacity]; // memory only: too many polls to journal
    private byte[] states = new byte[InitialCapacity];
    private int[] waveOf = new int[InitialCapacity];
    private int count;
    private readonly FenwickTree waitingSlots = new(InitialCapacity);
    private int[] preQueueOrder = []; // slot → index
    private int[] preQueueSlot = []; // index → slot
    private readonly List<Wave> waves = [];
    private readonly List<Wave> liveWaves = []; // waves with a member still shopping
    private readonly int[] recentWaits = new int[RecentWaitsKept];
    private int recentWaitsCount;
    private int recentWaitsNext;
    private readonly List<WaitingRoomEvent> uncommitted = [];
    private DateTimeOffset nextWaveAt;
    private int oldestPoll = int.MaxValue; // a lower bound of the waiting users' last polls: no scan before it matters
    private int firstMaybeWaiting; // every index below it has stopped waiting
    private (int Second, int Waves, WaitingRoomSettings? Settings, double PerSecond) rate;

    public WaitingLine(DateTimeOffset onSaleAt, WaitingRoomSettings settings, Func<int> seeds)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(seeds);
        settings.Validate();
        (timeBase, Settings, this.seeds) = (onSaleAt, settings, seeds);
    }

    public DateTimeOffset OnSaleAt => timeBase;
    public WaitingRoomSettings Settings { get; private set; }
    /// <summary>When the pre-queue was shuffled and admissions could start; null before on-sale.</summary>
    public DateTimeOffset? OpenedAt { get; private set; }
    public bool IsOpen => OpenedAt is not null;
    /// <summary>The journaled seed of the pre-queue shuffle (0 before opening).</summary>
    public int Seed { get; private set; }
    /// <summary>Tickets issued before opening (including those who left since).</summary>
    public int PreQueueCount { get; private set; }
    public int Tickets => count;
    public int Waiting { get; private set; }
    /// <summary>Admitted users still shopping: not completed, expired or gone.</summary>
    public int Active { get; private set; }
    public long AdmittedTotal { get; private set; }
    public long DroppedTotal { get; private set; }
    public long ExpiredTotal { get; private set; }
    public long CompletedTotal { get; private set; }
    public long LeftTotal { get; private set; }

    /// <summary>When the next wave is due; null before opening and while paused.</summary>
    public DateTimeOffset? NextWaveAt => OpenedAt is null || Settings.Paused ? null : nextWaveAt;

    public JoinResult Join(string userId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        OpenIfDue(now); // someone joining after on-sale must not land in the pre-queue because no tick came yet
        if (latestIndex.TryGetValue(userId, out var index) && !EndedWithoutPurchase(StateOf(index))) return new(index + 1L, IsNew: false);
        Emit(new UserJoined(now, userId));
        return new(count, IsNew: true);
    }

    /// <returns>True if the ticket has left (now or before); false if it is unknown or ended otherwise.</returns>
    public bool Leave(long ticket, DateTimeOffset now)
    {
        if (!TryIndex(ticket, out var index)) return false;
        var state = StateOf(index);
        if (state is QueueState.Waiting or QueueState.Admitted) Emit(new UserLeft(now, ticket));
        return state is QueueState.Waiting or QueueState.Admitted or QueueState.Left;
    }

    /// <summary>A ticket's state at <paramref name="now"/>; <paramref name="touch"/> counts as the user polling (keeps them from being dropped).</summary>
    /// <returns>Null for an unknown ticket.</returns>
    public LineStatus? Status(long ticket, DateTimeOffset now, bool touch)
    {
        if (!TryIndex(ticket, out var index)) return null;
        var state = StateOf(index);
        if (state == QueueState.Waiting)
        {
            if (touch) lastPoll[index] = Math.Max(lastPoll[index], CeilingSeconds(now));
            if (OpenedAt is null) return new(ticket, userIds[index], state, InPreQueue: true, null, null, null, null, null);
            var position = waitingSlots.CountThrough(SlotOf(index));
            return new(ticket, userIds[index], state, InPreQueue: false, position, position - 1, EtaSeconds(position, now), null, null);
        }
        var wave = waveOf[index] >= 0 ? waves[waveOf[index]] : null;
        if (state == QueueState.Admitted && now >= wave!.ExpiresAt) state = QueueState.Expired; // lapsed; the next tick journals it
        return new(ticket, userIds[index], state, InPreQueue: false, null, null, null, wave?.At, wave?.ExpiresAt);
    }

    /// <summary>
    /// The ticket's state as its holder polls it: null for a ticket that is unknown or someone else's. Only the holder's
    /// poll counts as polling, so nobody can keep another user's place alive or learn about it.
    /// </summary>
    public LineStatus? StatusFor(string userId, long ticket, DateTimeOffset now) => Owns(userId, ticket) ? Status(ticket, now, touch: true) : null;

    /// <summary>The holder leaves; false for a ticket that is unknown, someone else's, or ended otherwise.</summary>
    public bool LeaveFor(string userId, long ticket, DateTimeOffset now) => Owns(userId, ticket) && Leave(ticket, now);

    private bool Owns(string userId, long ticket) => TryIndex(ticket, out var index) && userIds[index] == userId;

    /// <summary>The user's current ticket (the latest one, if they queued again).</summary>
    public long? TicketOf(string userId) => latestIndex.TryGetValue(userId, out var index) ? index + 1L : null;

    /// <summary>The admitted user finished checkout, freeing their place among the active.</summary>
    /// <returns>True if completed (now or before); false if the user is not admitted or the admission has lapsed.</returns>
    public bool Complete(string userId, DateTimeOffset now)
    {
        if (!latestIndex.TryGetValue(userId, out var index)) return false;
        var state = StateOf(index);
        if (state == QueueState.Completed) return true;
        if (state != QueueState.Admitted || now >= waves[waveOf[index]].ExpiresAt) return false;
        Emit(new CheckoutCompleted(now, index + 1L));
        return true;
    }

    public void Configure(WaitingRoomSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings != Settings) Emit(new SettingsChanged(now, settings));
    }

    public void Pause(DateTimeOffset now) => Configure(Settings with { Paused = true }, now);

    public void Resume(DateTimeOffset now) => Configure(Settings with { Paused = false }, now);

    /// <summary>Opens the line if on-sale has come, drops abandoned users, expires lapsed admissions, then admits a wave if one is due.</summary>
    public TickResult Tick(DateTimeOffset now)
    {
        var opened = OpenIfDue(now);
        var dropped = DropAbandoned(now);
        var expired = ExpireDue(now);
        var admitted = AdmitIfDue(now);
        return new(opened, admitted, dropped, expired);
    }

    /// <summary>Users admitted in the minute up to <paramref name="now"/>.</summary>
    public int AdmittedInLastMinute(DateTimeOffset now) => AdmittedBetween(now - TimeSpan.FromMinutes(1), now);

    /// <summary>Wait from join to admission over the latest admissions (up to 10,000), nearest-rank; null before any.</summary>
    public WaitTimePercentiles? WaitTimes()
    {
        if (recentWaitsCount == 0) return null;
        var sample = recentWaits.AsSpan(0, recentWaitsCount).ToArray();
        Array.Sort(sample);
        return new(TimeSpan.FromSeconds(NearestRank(sample, 0.50)), TimeSpan.FromSeconds(NearestRank(sample, 0.95)), sample.Length);
    }

    /// <summary>Changes made since the last call, in order, for the journal.</summary>
    public IReadOnlyList<WaitingRoomEvent> TakeChanges()
    {
        var changes = uncommitted.ToArray();
        uncommitted.Clear();
        return changes;
    }

    private bool OpenIfDue(DateTimeOffset now)
    {
        if (OpenedAt is not null || now < timeBase) return false;
        Emit(new LineOpened(now, seeds()));
        return true;
    }

    private int DropAbandoned(DateTimeOffset now)
    {
        var second = FloorSeconds(now);
        var limit = (long)Math.Ceiling(Settings.AbandonAfter.TotalSeconds);
        if (Waiting == 0 || (long)second - oldestPoll < limit) return 0;
        while (firstMaybeWaiting < count && StateOf(firstMaybeWaiting) != QueueState.Waiting) firstMaybeWaiting++;
        var dropped = new List<long>();
        var oldest = int.MaxValue;
        for (var index = firstMaybeWaiting; index < count; index++)
        {
            if (StateOf(index) != QueueState.Waiting) continue;
            if ((long)second - lastPoll[index] >= limit) dropped.Add(index + 1L);
            else oldest = Math.Min(oldest, lastPoll[index]);
        }
        oldestPoll = oldest;
        if (dropped.Count > 0) Emit(new UsersDropped(now, dropped));
        return dropped.Count;
    }

    private int ExpireDue(DateTimeOffset now)
    {
        List<long>? expired = null;
        foreach (var wave in liveWaves)
        {
            if (wave.ExpiresAt > now) continue;
            foreach (var index in wave.Members!)
                if (StateOf(index) == QueueState.Admitted) (expired ??= []).Add(index + 1L);
        }
        if (expired is null) return 0;
        Emit(new AdmissionsExpired(now, expired));
        return expired.Count;
    }

    private int AdmitIfDue(DateTimeOffset now)
    {
        if (OpenedAt is null || Settings.Paused || now < nextWaveAt) return 0;
        var size = Math.Min(Settings.WaveSize, Math.Min(Settings.MaxActive - Active, waitingSlots.Total));
        if (size <= 0)
        {
            // Nobody to admit this time: the wave is spent, so a later one cannot make up for it in a burst.
            var interval = Settings.WaveInterval.Ticks;
            nextWaveAt += TimeSpan.FromTicks(((now - nextWaveAt).Ticks / interval + 1) * interval);
            return 0;
        }
        var tickets = new long[size];
        var slot = waitingSlots.FindKth(1);
        for (var taken = 0; taken < size; slot++)
        {
            var index = IndexAt(slot);
            if (StateOf(index) == QueueState.Waiting) tickets[taken++] = index + 1L;
        }
        Emit(new WaveAdmitted(now, tickets));
        return size;
    }

    private void Emit(WaitingRoomEvent change)
    {
        Apply(change);
        uncommitted.Add(change);
    }

    /// <summary>Applies one journal entry. The only place state changes (besides poll times, which are not journaled).</summary>
    public void Apply(WaitingRoomEvent change)
    {
        switch (change)
        {
            case UserJoined joined:
                ApplyJoined(joined);
                break;
            case UserLeft left:
                var leaving = IndexOf(left.Ticket);
                switch (StateOf(leaving))
                {
                    case QueueState.Waiting: StopWaiting(leaving); break;
                    case QueueState.Admitted: StopShopping(leaving); break;
                    default: throw Invalid(change, left.Ticket);
                }
                states[leaving] = (byte)QueueState.Left;
                LeftTotal++;
                break;
            case LineOpened opened:
                if (OpenedAt is not null) throw new InvalidOperationException($"The line opened already at {OpenedAt}; {change} repeats it.");
                (OpenedAt, Seed) = (opened.At, opened.Seed);
                SetPreQueue(Shuffled(count, opened.Seed));
                nextWaveAt = ScheduledWave();
                break;
            case WaveAdmitted admitted:
                ApplyAdmitted(admitted);
                break;
            case UsersDropped dropped:
                foreach (var ticket in dropped.Tickets)
                {
                    var index = IndexOf(ticket);
                    if (StateOf(index) != QueueState.Waiting) throw Invalid(change, ticket);
                    StopWaiting(index);
                    states[index] = (byte)QueueState.Dropped;
                    DroppedTotal++;
                }
                break;
            case AdmissionsExpired expired:
                foreach (var ticket in expired.Tickets)
                {
                    var index = IndexOf(ticket);
                    if (StateOf(index) != QueueState.Admitted) throw Invalid(change, ticket);
                    StopShopping(index);
                    states[index] = (byte)QueueState.Expired;
                    ExpiredTotal++;
                }
                break;
            case CheckoutCompleted completed:
                var buyer = IndexOf(completed.Ticket);
                if (StateOf(buyer) != QueueState.Admitted) throw Invalid(change, completed.Ticket);
                StopShopping(buyer);
                states[buyer] = (byte)QueueState.Completed;
                CompletedTotal++;
                break;
            case SettingsChanged configured:
                Settings = configured.Settings;
                if (OpenedAt is not null) nextWaveAt = ScheduledWave();
                break;
            default:
                throw new ArgumentException($"Unknown waiting room change {change.GetType().Name}.", nameof(change));
        }
    }

    private void ApplyJoined(UserJoined joined)
    {
        ref var latest = ref CollectionsMarshal.GetValueRefOrAddDefault(latestIndex, joined.UserId, out var known);
        if (known && !EndedWithoutPurchase(StateOf(latest)))
            throw new InvalidOperationException($"{joined} while ticket {latest + 1} of the user is still {StateOf(latest)}.");
        if (count == userIds.Length) Grow();
        var index = count++;
        latest = index;
        userIds[index] = joined.UserId;
        joinedAt[index] = FloorSeconds(joined.At);
        lastPoll[index] = CeilingSeconds(joined.At);
        states[index] = (byte)QueueState.Waiting;
        waveOf[index] = -1;
        oldestPoll = Math.Min(oldestPoll, lastPoll[index]);
        Waiting++;
        if (OpenedAt is not null) waitingSlots.Add(index, 1);
    }

    private void ApplyAdmitted(WaveAdmitted admitted)
    {
        var at = FloorSeconds(admitted.At);
        var members = new int[admitted.Tickets.Count];
        var wave = new Wave(admitted.At, admitted.At + Settings.AdmissionTtl, members.Length) { Members = members, Remaining = members.Length };
        for (var i = 0; i < members.Length; i++)
        {
            var index = IndexOf(admitted.Tickets[i]);
            if (OpenedAt is null || StateOf(index) != QueueState.Waiting) throw Invalid(admitted, admitted.Tickets[i]);
            StopWaiting(index);
            states[index] = (byte)QueueState.Admitted;
            waveOf[index] = waves.Count;
            members[i] = index;
            RecordWait(at - joinedAt[index]);
        }
        Active += members.Length;
        AdmittedTotal += members.Length;
        if (Active > Settings.MaxActive) throw new InvalidOperationException($"{admitted} makes {Active} active, over the limit of {Settings.MaxActive}.");
        waves.Add(wave);
        if (members.Length > 0) liveWaves.Add(wave);
        nextWaveAt = ScheduledWave();
    }

    private void StopWaiting(int index)
    {
        Waiting--;
        if (OpenedAt is not null) waitingSlots.Add(SlotOf(index), -1);
    }

    private void StopShopping(int index)
    {
        Active--;
        var wave = waves[waveOf[index]];
        if (--wave.Remaining > 0) return;
        wave.Members = null;
        liveWaves.Remove(wave);
    }

    /// <summary>One interval after the last wave, or at opening: derived from the journal alone, so a restore keeps the pace.</summary>
    private DateTimeOffset ScheduledWave() => waves.Count == 0 ? OpenedAt!.Value : waves[^1].At + Settings.WaveInterval;

    /// <summary>Fisher–Yates over tickets in join order with the journaled seed: every order equally likely, the same on replay.</summary>
    private static int[] Shuffled(int length, int seed)
    {
        var order = new int[length];
        for (var i = 0; i < length; i++) order[i] = i;
        var random = new Random(seed);
        for (var i = length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private void SetPreQueue(int[] order)
    {
        preQueueOrder = order;
        preQueueSlot = new int[order.Length];
        for (var slot = 0; slot < order.Length; slot++) preQueueSlot[order[slot]] = slot;
        PreQueueCount = order.Length;
        for (var slot = 0; slot < order.Length; slot++)
            if (StateOf(order[slot]) == QueueState.Waiting) waitingSlots.Add(slot, 1);
    }

    private int SlotOf(int index) => index < PreQueueCount ? preQueueSlot[index] : index;

    private int IndexAt(int slot) => slot < PreQueueCount ? preQueueOrder[slot] : slot;

    private QueueState StateOf(int index) => (QueueState)states[index];

    private static bool EndedWithoutPurchase(QueueState state) => state is QueueState.Left or QueueState.Dropped or QueueState.Expired;

    private bool TryIndex(long ticket, out int index)
    {
        index = (int)Math.Clamp(ticket - 1, -1, int.MaxValue);
        return index >= 0 && index < count;
    }

    private int IndexOf(long ticket) =>
        TryIndex(ticket, out var index) ? index : throw new InvalidOperationException($"Ticket {ticket} was never issued ({count} were).");

    private InvalidOperationException Invalid(WaitingRoomEvent change, long ticket) =>
        new($"{change.GetType().Name} at {change.At} does not apply to ticket {ticket}, which is {StateOf(IndexOf(ticket))}.");

    private void Grow()
    {
        var capacity = userIds.Length * 2;
        Array.Resize(ref userIds, capacity);
        Array.Resize(ref joinedAt, capacity);
        Array.Resize(ref lastPoll, capacity);
        Array.Resize(ref states, capacity);
        Array.Resize(ref waveOf, capacity);
        waitingSlots.Grow();
    }

    private void RecordWait(int seconds)
    {
        recentWaits[recentWaitsNext] = Math.Max(0, seconds);
        recentWaitsNext = (recentWaitsNext + 1) % RecentWaitsKept;
        recentWaitsCount = Math.Min(recentWaitsCount + 1, RecentWaitsKept);
    }

    private static int NearestRank(int[] sorted, double percentile) => sorted[Math.Max(0, (int)Math.Ceiling(percentile * sorted.Length) - 1)];

    /// <summary>Seconds to the user's turn: at the admission rate measured over the last waves, else from the settings.</summary>
    private int EtaSeconds(int position, DateTimeOffset now)
    {
        var perSecond = AdmissionRate(FloorSeconds(now));
        var seconds = perSecond > 0
            ? position / perSecond
            : Math.Ceiling(position / (double)Settings.WaveSize) * Settings.WaveInterval.TotalSeconds;
        return (int)Math.Min(int.MaxValue, Math.Ceiling(seconds));
    }

    /// <summary>Admissions per second over the last five minutes (or since the first wave plus one interval), cached per second.</summary>
    private double AdmissionRate(int second)
    {
        if (waves.Count == 0) return 0;
        if (rate.Second == second && rate.Waves == waves.Count && ReferenceEquals(rate.Settings, Settings)) return rate.PerSecond;
        var now = timeBase + TimeSpan.FromSeconds(second);
        var span = Min(RateWindow, now - waves[0].At + Settings.WaveInterval);
        var perSecond = span > TimeSpan.Zero ? AdmittedBetween(now - RateWindow, now) / span.TotalSeconds : 0;
        rate = (second, waves.Count, Settings, perSecond);
        return perSecond;
    }

    private int AdmittedBetween(DateTimeOffset after, DateTimeOffset through)
    {
        var admitted = 0;
        for (var i = waves.Count - 1; i >= 0 && waves[i].At > after; i--)
            if (waves[i].At <= through) admitted += waves[i].Count;
        return admitted;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private int FloorSeconds(DateTimeOffset at)
    {
        var ticks = (at - timeBase).Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        if (ticks % TimeSpan.TicksPerSecond < 0) seconds--;
        return (int)Math.Clamp(seconds, int.MinValue / 2, int.MaxValue / 2);
    }

    private int CeilingSeconds(DateTimeOffset at)
    {
        var ticks = (at - timeBase).Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        if (ticks % TimeSpan.TicksPerSecond > 0) seconds++;
        return (int)Math.Clamp(seconds, int.MinValue / 2, int.MaxValue / 2);
    }

    public WaitingLineSnapshot ToSnapshot() => new(Settings, timeBase, OpenedAt, Seed, preQueueOrder.ToArray(),
        userIds[..count], joinedAt[..count], states[..count], waveOf[..count],
        waves.Select(w => new WaveSnapshot(w.At, w.ExpiresAt, w.Count)).ToList(), RecentWaitsOldestFirst());

    /// <summary>
    /// The line a snapshot and the journal entries after it describe. Poll times are not journaled, so every waiting
    /// user counts as having polled at <paramref name="now"/>: nobody is dropped because the line was down.
    /// </summary>
    public static WaitingLine Restore(DateTimeOffset onSaleAt, WaitingRoomSettings initial, Func<int> seeds,
        WaitingLineSnapshot? snapshot, IEnumerable<WaitingRoomEvent> entries, DateTimeOffset now)
    {
        var line = new WaitingLine(onSaleAt, initial, seeds);
        if (snapshot is not null) line.Load(snapshot);
        foreach (var entry in entries) line.Apply(entry);
        line.PolledAllAt(now);
        return line;
    }

    private void PolledAllAt(DateTimeOffset now)
    {
        var second = CeilingSeconds(now);
        for (var index = 0; index < count; index++)
            if (StateOf(index) == QueueState.Waiting) lastPoll[index] = second;
        oldestPoll = Waiting > 0 ? second : int.MaxValue;
    }

    private void Load(WaitingLineSnapshot snapshot)
    {
        Settings = snapshot.Settings;
        while (userIds.Length < snapshot.UserIds.Length) Grow();
        count = snapshot.UserIds.Length;
        var shift = FloorSeconds(snapshot.TimeBase); // zero unless the on-sale time moved since the snapshot
        for (var index = 0; index < count; index++)
        {
            userIds[index] = snapshot.UserIds[index];
            joinedAt[index] = snapshot.JoinedAt[index] + shift;
            states[index] = snapshot.States[index];
            waveOf[index] = snapshot.WaveOf[index];
            latestIndex[userIds[index]] = index; // a later ticket of the same user overwrites an earlier one
        }
        foreach (var wave in snapshot.Waves) waves.Add(new Wave(wave.At, wave.ExpiresAt, wave.Count));
        if (snapshot.OpenedAt is { } openedAt)
        {
            (OpenedAt, Seed) = (openedAt, snapshot.Seed);
            SetPreQueue(snapshot.PreQueueOrder.ToArray());
        }
        for (var index = 0; index < count; index++)
        {
            if (waveOf[index] >= 0) AdmittedTotal++;
            switch (StateOf(index))
            {
                case QueueState.Waiting:
                    Waiting++;
                    if (OpenedAt is not null && index >= PreQueueCount) waitingSlots.Add(index, 1);
                    break;
                case QueueState.Admitted: Active++; waves[waveOf[index]].Remaining++; break;
                case QueueState.Left: LeftTotal++; break;
                case QueueState.Dropped: DroppedTotal++; break;
                case QueueState.Expired: ExpiredTotal++; break;
                case QueueState.Completed: CompletedTotal++; break;
            }
        }
        foreach (var wave in waves.Where(w => w.Remaining > 0))
        {
            wave.Members = new int[wave.Remaining];
            liveWaves.Add(wave);
        }
        var filled = new int[waves.Count];
        for (var index = 0; index < count; index++)
            if (StateOf(index) == QueueState.Admitted) waves[waveOf[index]].Members![filled[waveOf[index]]++] = index;
        foreach (var wait in snapshot.RecentWaits) RecordWait(wait);
        if (OpenedAt is not null) nextWaveAt = ScheduledWave();
    }

    private int[] RecentWaitsOldestFirst() => recentWaitsCount < RecentWaitsKept
        ? recentWaits[..recentWaitsCount]
        : [.. recentWaits[recentWaitsNext..], .. recentWaits[..recentWaitsNext]];

    /// <summary>One admission wave; <see cref="Members"/> is kept only while one of them is still shopping.</summary>
    private sealed class Wave(DateTimeOffset at, DateTimeOffset expiresAt, int count)
    {
        public DateTimeOffset At { get; } = at;
        public DateTimeOffset ExpiresAt { get; } = expiresAt;
        public int Count { get; } = count;
        public int[]? Members { get; set; }
        public int Remaining { get; set; }
    }
}

/// <param name="IsNew">False when the user already held a live ticket: joining is idempotent.</param>
public sealed record JoinResult(long Ticket, bool IsNew);

public sealed record TickResult(bool Opened, int Admitted, int Dropped, int Expired);

public sealed record WaitTimePercentiles(TimeSpan P50, TimeSpan P95, int Sample);
