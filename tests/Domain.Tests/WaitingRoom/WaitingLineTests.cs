using System.Text.Json;
using TicketFlow.Domain.WaitingRoom;

namespace TicketFlow.Domain.Tests.WaitingRoom;

public sealed class WaitingLineTests
{
    internal static readonly DateTimeOffset OnSale = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    internal static WaitingLine Line(WaitingRoomSettings? settings = null, int seed = 7) => new(OnSale, settings ?? new WaitingRoomSettings(), () => seed);

    internal static string User(int n) => $"usr_{n:x32}";

    private static DateTimeOffset At(int seconds) => OnSale.AddSeconds(seconds);

    private static int? PositionOf(WaitingLine line, long ticket, DateTimeOffset now) => line.Status(ticket, now, touch: false)!.Position;

    private static List<long> AdmittedTickets(IEnumerable<WaitingRoomEvent> journal) => journal.OfType<WaveAdmitted>().SelectMany(a => a.Tickets).ToList();

    [Fact]
    public void Joining_twice_returns_the_same_ticket_and_journals_one_join()
    {
        var line = Line();
        var first = line.Join(User(1), At(-60));
        var again = line.Join(User(1), At(-30));
        Assert.Equal(new JoinResult(1, IsNew: true), first);
        Assert.Equal(new JoinResult(1, IsNew: false), again);
        Assert.Single(line.TakeChanges());
        Assert.Equal(1, line.TicketOf(User(1)));
        Assert.Null(line.TicketOf(User(2)));
    }

    [Fact]
    public void A_user_whose_ticket_ended_without_a_purchase_queues_again_at_the_back()
    {
        var line = Line();
        line.Join(User(1), At(0));
        line.Join(User(2), At(0));
        Assert.True(line.Leave(1, At(1)));
        Assert.Equal(new JoinResult(3, IsNew: true), line.Join(User(1), At(2)));
        Assert.Equal(3, line.TicketOf(User(1)));
        Assert.Equal(2, PositionOf(line, 3, At(2)));
        Assert.Equal(QueueState.Left, line.Status(1, At(2), touch: false)!.State);
    }

    [Fact]
    public void Pre_queue_users_have_no_position_until_the_line_opens_then_exactly_one_each()
    {
        var line = Line(new WaitingRoomSettings { Paused = true });
        for (var i = 0; i < 3; i++) line.Join(User(i), At(-100 + i));
        var before = line.Status(2, At(-1), touch: true)!;
        Assert.Equal((QueueState.Waiting, true, (int?)null, (int?)null), (before.State, before.InPreQueue, before.Position, before.EtaSeconds));
        Assert.True(line.Tick(At(0)).Opened);
        var positions = Enumerable.Range(1, 3).Select(t => line.Status(t, At(0), touch: false)!).ToList();
        Assert.All(positions, s => Assert.False(s.InPreQueue));
        Assert.Equal([1, 2, 3], positions.Select(s => s.Position!.Value).Order());
        Assert.Equal(new LineOpened(At(0), 7), line.TakeChanges().OfType<LineOpened>().Single());
    }

    [Fact]
    public void A_join_after_on_sale_opens_the_line_first_so_it_queues_behind_the_pre_queue()
    {
        var line = Line(new WaitingRoomSettings { Paused = true });
        line.Join(User(1), At(-5));
        line.Join(User(2), At(-4));
        line.TakeChanges();
        line.Join(User(3), At(1));
        Assert.True(line.IsOpen);
        Assert.Collection(line.TakeChanges(), c => Assert.IsType<LineOpened>(c), c => Assert.IsType<UserJoined>(c));
        Assert.Equal(3, PositionOf(line, 3, At(1)));
    }

    [Fact]
    public void Leaving_closes_the_gap_so_positions_stay_one_to_n()
    {
        var line = Line(new WaitingRoomSettings { Paused = true });
        for (var i = 1; i <= 5; i++) line.Join(User(i), At(i));
        Assert.True(line.Leave(2, At(6)));
        Assert.True(line.Leave(2, At(7)));
        Assert.False(line.Leave(99, At(7)));
        Assert.Equal([1, null, 2, 3, 4], Enumerable.Range(1, 5).Select(t => PositionOf(line, t, At(7))));
        Assert.Equal(2, line.Status(4, At(7), touch: false)!.AheadOfYou);
        Assert.Equal(4, line.Waiting);
    }

    [Fact]
    public void Admission_is_first_come_first_served_after_on_sale_with_the_whole_pre_queue_first()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 2 });
        for (var i = 1; i <= 3; i++) line.Join(User(i), At(-10 * i));
        line.Tick(At(0));
        for (var i = 4; i <= 8; i++) line.Join(User(i), At(i));
        for (var t = 10; line.Waiting > 0; t += 10) line.Tick(At(t));
        var admitted = AdmittedTickets(line.TakeChanges());
        Assert.Equal([1, 2, 3], admitted.Take(3).Order());
        Assert.Equal([4, 5, 6, 7, 8], admitted.Skip(3));
    }

    [Fact]
    public void The_pre_queue_order_is_fixed_by_the_journaled_seed()
    {
        static (WaitingLine Line, List<WaitingRoomEvent> Journal) Open(int seed)
        {
            var line = Line(new WaitingRoomSettings { Paused = true }, seed);
            for (var i = 0; i < 50; i++) line.Join(User(i), At(-100 + i));
            line.Tick(At(0));
            return (line, line.TakeChanges().ToList());
        }
        static List<int?> Order(WaitingLine line) => Enumerable.Range(1, 50).Select(t => PositionOf(line, t, At(0))).ToList();

        var (one, journal) = Open(seed: 1);
        Assert.Equal(Order(one), Order(Open(seed: 1).Line));
        Assert.NotEqual(Order(one), Order(Open(seed: 2).Line));
        var replayed = WaitingLine.Restore(OnSale, new WaitingRoomSettings(), () => throw new InvalidOperationException("Replay must use the journaled seed."), null, journal, At(5));
        Assert.Equal(Order(one), Order(replayed));
        Assert.NotEqual(Enumerable.Range(1, 50).Select(i => (int?)i), Order(one));
    }

    [Fact]
    public void A_wave_admits_exactly_WaveSize_per_interval_when_enough_are_waiting_and_room_allows()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 3, WaveInterval = TimeSpan.FromSeconds(10), MaxActive = 100 });
        for (var i = 0; i < 20; i++) line.Join(User(i), At(0));
        Assert.Equal(3, line.Tick(At(0)).Admitted);
        Assert.Equal(0, line.Tick(At(5)).Admitted);
        Assert.Equal(3, line.Tick(At(10)).Admitted);
        Assert.Equal(3, line.Tick(At(20)).Admitted);
        Assert.Equal(At(30), line.NextWaveAt);
        Assert.Equal(9, line.Active);
        Assert.Equal(11, line.Waiting);
    }

    [Fact]
    public void Missed_intervals_do_not_make_a_burst()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 3, WaveInterval = TimeSpan.FromSeconds(10), MaxActive = 100 });
        for (var i = 0; i < 30; i++) line.Join(User(i), At(0));
        line.Tick(At(0));
        Assert.Equal(3, line.Tick(At(75)).Admitted);
        Assert.Equal(At(85), line.NextWaveAt);
        Assert.Equal(0, line.Tick(At(80)).Admitted);

        var empty = Line(new WaitingRoomSettings { WaveSize = 3, WaveInterval = TimeSpan.FromSeconds(10) });
        empty.Tick(At(0));
        empty.Tick(At(42)); // due, nobody waiting: the wave is spent, the next one stays on the grid
        Assert.Equal(At(50), empty.NextWaveAt);
        for (var i = 0; i < 30; i++) empty.Join(User(i), At(43));
        Assert.Equal(0, empty.Tick(At(45)).Admitted);
        Assert.Equal(3, empty.Tick(At(50)).Admitted);
    }

    [Fact]
    public void Pause_stops_admission_and_resume_restarts_it()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 2 });
        for (var i = 0; i < 10; i++) line.Join(User(i), At(0));
        Assert.Equal(2, line.Tick(At(0)).Admitted);
        line.Pause(At(1));
        Assert.Null(line.NextWaveAt);
        Assert.Equal(0, line.Tick(At(10)).Admitted);
        Assert.Equal(0, line.Tick(At(60)).Admitted);
        line.Resume(At(61));
        Assert.Equal(2, line.Tick(At(61)).Admitted);
        Assert.Collection(line.TakeChanges().OfType<SettingsChanged>(), p => Assert.True(p.Settings.Paused), r => Assert.False(r.Settings.Paused));
    }

    [Fact]
    public void MaxActive_caps_the_admitted_users_still_shopping()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 5, MaxActive = 7 });
        for (var i = 0; i < 20; i++) line.Join(User(i), At(0));
        Assert.Equal(5, line.Tick(At(0)).Admitted);
        Assert.Equal(2, line.Tick(At(10)).Admitted);
        Assert.Equal(0, line.Tick(At(20)).Admitted);
        Assert.Equal(7, line.Active);
    }

    [Fact]
    public void Admission_expiry_frees_room_for_the_next_wave()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 2, MaxActive = 2, AdmissionTtl = TimeSpan.FromMinutes(1) });
        for (var i = 0; i < 5; i++) line.Join(User(i), At(0));
        line.Tick(At(0));
        Assert.Equal(0, line.Tick(At(10)).Admitted);
        var first = line.Status(1, At(30), touch: false)!;
        Assert.Equal((QueueState.Admitted, At(0), At(60)), (first.State, first.AdmittedAt, first.AdmissionExpiresAt));
        Assert.Equal(QueueState.Expired, line.Status(1, At(60), touch: false)!.State);
        Assert.Equal(new TickResult(Opened: false, Admitted: 2, Dropped: 0, Expired: 2), line.Tick(At(60)));
        Assert.Equal(2, line.ExpiredTotal);
        Assert.False(line.Complete(User(0), At(61)));
    }

    [Fact]
    public void Completing_checkout_frees_room_for_the_next_wave()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 2, MaxActive = 2 });
        for (var i = 0; i < 5; i++) line.Join(User(i), At(0));
        line.Tick(At(0));
        Assert.False(line.Complete(User(4), At(1)));
        Assert.True(line.Complete(User(0), At(1)));
        Assert.True(line.Complete(User(0), At(2)));
        Assert.Equal(1, line.Tick(At(10)).Admitted);
        Assert.Equal(QueueState.Completed, line.Status(1, At(10), touch: false)!.State);
        Assert.Equal((2, 1L), (line.Active, line.CompletedTotal));
    }

    [Fact]
    public void Only_the_holder_of_a_ticket_sees_it_keeps_it_alive_or_leaves_with_it()
    {
        var line = Line(new WaitingRoomSettings { Paused = true, AbandonAfter = TimeSpan.FromMinutes(2) });
        line.Join(User(1), At(0));
        Assert.Null(line.StatusFor(User(2), 1, At(60)));
        Assert.False(line.LeaveFor(User(2), 1, At(60)));
        Assert.Null(line.StatusFor(User(1), 99, At(60)));
        Assert.Equal(1, line.Tick(At(120)).Dropped); // the stranger's poll at 60 s did not count
        var other = Line(new WaitingRoomSettings { Paused = true });
        other.Join(User(1), At(0));
        Assert.Equal(QueueState.Waiting, other.StatusFor(User(1), 1, At(1))!.State);
        Assert.True(other.LeaveFor(User(1), 1, At(2)));
        Assert.Equal(QueueState.Left, other.StatusFor(User(1), 1, At(3))!.State);
    }

    [Fact]
    public void Users_who_stop_polling_are_dropped_and_those_who_poll_are_not()
    {
        var line = Line(new WaitingRoomSettings { Paused = true, AbandonAfter = TimeSpan.FromMinutes(2) });
        for (var i = 1; i <= 3; i++) line.Join(User(i), At(0));
        line.Status(1, At(60), touch: true);
        line.Status(3, At(60), touch: false);
        Assert.Equal(0, line.Tick(At(119)).Dropped);
        Assert.Equal(2, line.Tick(At(120)).Dropped);
        Assert.Equal([1, null, null], Enumerable.Range(1, 3).Select(t => PositionOf(line, t, At(120))));
        Assert.Equal(QueueState.Dropped, line.Status(2, At(120), touch: true)!.State);
        var dropped = line.TakeChanges().OfType<UsersDropped>().Single();
        Assert.Equal(At(120), dropped.At);
        Assert.Equal([2L, 3L], dropped.Tickets);
        Assert.Equal(1, line.Tick(At(180)).Dropped);
        Assert.Equal(3, line.DroppedTotal);
    }

    [Fact]
    public void Restore_from_a_snapshot_and_entries_or_from_entries_only_gives_the_same_line_and_drops_nobody_right_away()
    {
        var settings = new WaitingRoomSettings { WaveSize = 2, MaxActive = 3, AdmissionTtl = TimeSpan.FromMinutes(5), AbandonAfter = TimeSpan.FromMinutes(2) };
        var line = Line(settings, seed: 99);
        var journal = new List<WaitingRoomEvent>();
        for (var i = 1; i <= 6; i++) line.Join(User(i), At(-60 + i));
        line.Tick(At(0));
        for (var i = 7; i <= 14; i++) line.Join(User(i), At(i));
        journal.AddRange(line.TakeChanges());
        line.Leave(line.TicketOf(User(9))!.Value, At(15));
        line.Complete(line.Status(journal.OfType<WaveAdmitted>().First().Tickets[0], At(15), false)!.UserId, At(15));
        line.Configure(settings with { WaveSize = 3 }, At(16));
        line.Tick(At(20));
        for (var t = 1; t <= 14; t += 2) line.Status(t, At(100), touch: true);
        line.Tick(At(150)); // drops whoever did not poll at +100
        line.Tick(At(160));
        journal.AddRange(line.TakeChanges());
        Assert.True(line.DroppedTotal > 0);

        var now = At(400); // every waiting user's last poll is now > AbandonAfter old
        Func<int> noSeeds = () => throw new InvalidOperationException("Replay must use the journaled seed.");
        var fromEntries = WaitingLine.Restore(OnSale, settings, noSeeds, null, journal, now);
        var half = WaitingLine.Restore(OnSale, settings, noSeeds, null, journal.Take(journal.Count / 2), now).ToSnapshot();
        var fromSnapshot = WaitingLine.Restore(OnSale, settings, noSeeds, half, journal.Skip(journal.Count / 2), now);

        Assert.Equal(Describe(line, now), Describe(fromEntries, now));
        Assert.Equal(Describe(line, now), Describe(fromSnapshot, now));
        Assert.Equal(fromEntries.NextWaveAt, fromSnapshot.NextWaveAt);
        Assert.Equal(0, fromEntries.Tick(now).Dropped);
        Assert.Equal(0, fromSnapshot.Tick(now.AddSeconds(119)).Dropped);
        Assert.Equal(fromSnapshot.Waiting, fromSnapshot.Tick(now.AddMinutes(2)).Dropped);
    }

    internal static string Describe(WaitingLine line, DateTimeOffset now) =>
        string.Join("\n", Enumerable.Range(1, line.Tickets).Select(t => line.Status(t, now, touch: false)))
        + $"\n{line.Settings} waiting {line.Waiting} active {line.Active} admitted {line.AdmittedTotal} dropped {line.DroppedTotal} "
        + $"expired {line.ExpiredTotal} completed {line.CompletedTotal} left {line.LeftTotal} opened {line.OpenedAt} seed {line.Seed} "
        + $"pre-queue {line.PreQueueCount} waits {line.WaitTimes()} last minute {line.AdmittedInLastMinute(now)}";

    [Fact]
    public void Eta_before_any_admission_comes_from_the_settings()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 10, WaveInterval = TimeSpan.FromSeconds(10) });
        for (var i = 1; i <= 25; i++) line.Join(User(i), At(1));
        Assert.Equal(10, line.Status(1, At(1), touch: false)!.EtaSeconds);
        Assert.Equal(10, line.Status(10, At(1), touch: false)!.EtaSeconds);
        Assert.Equal(30, line.Status(25, At(1), touch: false)!.EtaSeconds);
    }

    [Fact]
    public void Eta_follows_the_measured_admission_rate()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 10, WaveInterval = TimeSpan.FromSeconds(10), MaxActive = 1000 });
        for (var i = 1; i <= 100; i++) line.Join(User(i), At(0));
        line.Tick(At(0));
        line.Tick(At(10));
        line.Tick(At(20));
        // 30 admitted over the 20 s since the first wave plus that wave's interval: 1 user/s.
        var last = line.Status(100, At(20), touch: false)!;
        Assert.Equal((70, 70), (last.Position, last.EtaSeconds));
        line.Configure(line.Settings with { WaveSize = 50 }, At(20)); // the measured rate wins over the settings
        Assert.Equal(70, line.Status(100, At(20), touch: false)!.EtaSeconds);
        Assert.Equal(73, line.Status(100, At(21), touch: false)!.EtaSeconds); // 30 admitted over 31 s
    }

    [Fact]
    public void Metrics_count_admissions_in_the_last_minute_and_wait_percentiles()
    {
        var line = Line(new WaitingRoomSettings { WaveSize = 5, WaveInterval = TimeSpan.FromSeconds(10) });
        Assert.Null(line.WaitTimes());
        for (var i = 0; i < 10; i++) line.Join(User(i), At(0));
        line.Tick(At(0));
        line.Pause(At(1));
        line.Resume(At(30));
        line.Tick(At(30));
        Assert.Equal(new WaitTimePercentiles(TimeSpan.Zero, TimeSpan.FromSeconds(30), 10), line.WaitTimes());
        Assert.Equal(10, line.AdmittedInLastMinute(At(30)));
        Assert.Equal(5, line.AdmittedInLastMinute(At(65)));
        Assert.Equal((10L, 0, 10), (line.AdmittedTotal, line.Waiting, line.Active));
    }

    [Fact]
    public void Journal_entries_and_the_snapshot_round_trip_through_json_with_web_defaults()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var settings = new WaitingRoomSettings { WaveSize = 2, MaxActive = 2, AdmissionTtl = TimeSpan.FromSeconds(30), AbandonAfter = TimeSpan.FromSeconds(40) };
        var line = Line(settings, seed: 5);
        for (var i = 0; i < 4; i++) line.Join(User(i), At(-10));
        line.Tick(At(0));
        var journal = line.TakeChanges().ToList();
        var admitted = journal.OfType<WaveAdmitted>().Single().Tickets;
        line.Join(User(9), At(1));
        line.Leave(Enumerable.Range(1, 4).First(t => !admitted.Contains(t)), At(2));
        line.Complete(line.Status(admitted[0], At(2), false)!.UserId, At(2));
        line.Configure(settings with { WaveSize = 1 }, At(3));
        line.Tick(At(31));
        line.Tick(At(80));
        journal.AddRange(line.TakeChanges());
        Assert.Equal(8, journal.Select(c => c.GetType().Name).Distinct().Count());

        foreach (var change in journal)
        {
            var text = JsonSerializer.Serialize(change, json);
            var back = JsonSerializer.Deserialize<WaitingRoomEvent>(text, json)!;
            Assert.Equal(change.GetType(), back.GetType());
            Assert.Equal(text, JsonSerializer.Serialize(back, json));
        }
        Assert.Equal("""{"kind":"WaveAdmitted","tickets":[1,2],"at":"2026-11-22T12:00:00+00:00"}""", JsonSerializer.Serialize<WaitingRoomEvent>(new WaveAdmitted(At(0), [1, 2]), json));

        var stored = JsonSerializer.Deserialize<List<WaitingRoomEvent>>(JsonSerializer.Serialize(journal, json), json)!;
        Assert.Equal(Describe(line, At(90)), Describe(WaitingLine.Restore(OnSale, settings, () => 0, null, stored, At(90)), At(90)));
        var snapshot = JsonSerializer.Deserialize<WaitingLineSnapshot>(JsonSerializer.Serialize(line.ToSnapshot(), json), json)!;
        Assert.Equal(Describe(line, At(90)), Describe(WaitingLine.Restore(OnSale, new WaitingRoomSettings(), () => 0, snapshot, [], At(90)), At(90)));
    }

    [Fact]
    public void Default_settings_are_the_documented_ones()
    {
        var settings = new WaitingRoomSettings();
        Assert.Equal((100, TimeSpan.FromSeconds(10), 1000, false, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2)),
            (settings.WaveSize, settings.WaveInterval, settings.MaxActive, settings.Paused, settings.AdmissionTtl, settings.AbandonAfter));
    }

    [Fact]
    public void Settings_that_would_stall_the_line_are_rejected_and_unchanged_settings_are_not_journaled()
    {
        var line = Line();
        Assert.Throws<ArgumentOutOfRangeException>(() => line.Configure(new WaitingRoomSettings { WaveSize = 0 }, At(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.Configure(new WaitingRoomSettings { MaxActive = 0 }, At(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.Configure(new WaitingRoomSettings { WaveInterval = TimeSpan.Zero }, At(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.Configure(new WaitingRoomSettings { AdmissionTtl = TimeSpan.Zero }, At(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.Configure(new WaitingRoomSettings { AbandonAfter = TimeSpan.FromSeconds(-1) }, At(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Line(new WaitingRoomSettings { WaveSize = -1 }));
        line.Configure(new WaitingRoomSettings(), At(0));
        Assert.Empty(line.TakeChanges());
    }
}
