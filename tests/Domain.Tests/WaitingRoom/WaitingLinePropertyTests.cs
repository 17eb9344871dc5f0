using FsCheck;
using FsCheck.Fluent;
using TicketFlow.Domain.WaitingRoom;
using static TicketFlow.Domain.Tests.WaitingRoom.WaitingLineTests;

namespace TicketFlow.Domain.Tests.WaitingRoom;

public sealed class WaitingLinePropertyTests
{
    private enum Op { Join, Leave, Tick, Status, PollAll, Complete, Configure }

    private sealed record Step(Op Op, int User, int Seconds, bool Touch, WaitingRoomSettings Settings);

    private static readonly WaitingRoomSettings Initial = new()
    {
        WaveSize = 2, WaveInterval = TimeSpan.FromSeconds(10), MaxActive = 3, AdmissionTtl = TimeSpan.FromSeconds(90), AbandonAfter = TimeSpan.FromSeconds(60),
    };

    private static Gen<WaitingRoomSettings> SettingsGen =>
        from waveSize in Gen.Choose(1, 4)
        from maxActive in Gen.Choose(1, 6)
        from interval in Gen.Choose(5, 30)
        from paused in Gen.Elements(false, false, false, true)
        from ttl in Gen.Choose(20, 200)
        from abandon in Gen.Choose(30, 150)
        select new WaitingRoomSettings
        {
            WaveSize = waveSize, MaxActive = maxActive, WaveInterval = TimeSpan.FromSeconds(interval), Paused = paused,
            AdmissionTtl = TimeSpan.FromSeconds(ttl), AbandonAfter = TimeSpan.FromSeconds(abandon),
        };

    private static Gen<Step> StepGen =>
        from op in Gen.Elements(Op.Join, Op.Join, Op.Join, Op.Leave, Op.Tick, Op.Tick, Op.Tick, Op.Status, Op.PollAll, Op.Complete, Op.Configure)
        from user in Gen.Choose(0, 24)
        from seconds in Gen.Choose(1, 45)
        from touch in Gen.Elements(true, false)
        from settings in SettingsGen
        select new Step(op, user, seconds, touch, settings);

    /// <summary>Runs the steps from 100 s before on-sale, calling <paramref name="holds"/> after each; false as soon as it fails.</summary>
    private static bool Run(IEnumerable<Step> steps, Func<WaitingLine, DateTimeOffset, bool> holds, out WaitingLine line, out List<WaitingRoomEvent> journal, out DateTimeOffset now)
    {
        line = Line(Initial, seed: 31);
        journal = [];
        now = OnSale.AddSeconds(-100);
        foreach (var step in steps)
        {
            var user = User(step.User);
            switch (step.Op)
            {
                case Op.Join: line.Join(user, now); break;
                case Op.Leave: if (line.TicketOf(user) is { } leaving) line.Leave(leaving, now); break;
                case Op.Tick: now = now.AddSeconds(step.Seconds); line.Tick(now); break;
                case Op.Status: if (line.TicketOf(user) is { } ticket) line.Status(ticket, now, step.Touch); break;
                case Op.PollAll: for (var t = 1; t <= line.Tickets; t++) line.Status(t, now, touch: true); break;
                case Op.Complete: line.Complete(user, now); break;
                case Op.Configure: line.Configure(step.Settings, now); break;
            }
            journal.AddRange(line.TakeChanges());
            if (!holds(line, now)) return false;
        }
        return true;
    }

    private static bool PositionsAreOneToN(WaitingLine line, DateTimeOffset now)
    {
        var waiting = Enumerable.Range(1, line.Tickets).Select(t => line.Status(t, now, touch: false)!).Where(s => s.State == QueueState.Waiting).ToList();
        if (waiting.Count != line.Waiting) return false;
        if (!line.IsOpen) return waiting.All(s => s.InPreQueue && s.Position is null);
        return waiting.Select(s => s.Position ?? 0).Order().SequenceEqual(Enumerable.Range(1, waiting.Count))
            && waiting.All(s => s.AheadOfYou == s.Position - 1 && s.EtaSeconds > 0);
    }

    [Fact]
    public void Positions_are_exactly_one_to_n_after_any_sequence_and_the_journal_replays_to_the_same_line()
    {
        Prop.ForAll(Arb.From(Gen.ListOf(StepGen)), steps =>
        {
            if (!Run(steps, PositionsAreOneToN, out var line, out var journal, out var now)) return false;
            Func<int> noSeeds = () => throw new InvalidOperationException("Replay must use the journaled seed.");
            var replayed = WaitingLine.Restore(OnSale, Initial, noSeeds, null, journal, now);
            var half = WaitingLine.Restore(OnSale, Initial, noSeeds, null, journal.Take(journal.Count / 2), now).ToSnapshot();
            var snapshotThenRest = WaitingLine.Restore(OnSale, Initial, noSeeds, half, journal.Skip(journal.Count / 2), now);
            var expected = Describe(line, now);
            return expected == Describe(replayed, now) && expected == Describe(snapshotThenRest, now) && PositionsAreOneToN(replayed, now);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithReplay(2026, 1123));
    }

    [Fact]
    public void MaxActive_and_WaveSize_are_never_exceeded_waves_never_burst_and_admission_keeps_slot_order()
    {
        Prop.ForAll(Arb.From(Gen.ListOf(StepGen)), steps =>
            Run(steps, (line, _) => line.Active >= 0, out _, out var journal, out _) && AdmissionsKeepTheRules(journal))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithReplay(4242, 1717));
    }

    // Recomputed from the journal alone: the settings in force, who is shopping, and the order of admissions.
    private static bool AdmissionsKeepTheRules(IEnumerable<WaitingRoomEvent> journal)
    {
        var settings = Initial;
        var shopping = new HashSet<long>();
        long tickets = 0, preQueue = -1, lastPostOpen = 0;
        var postOpenSeen = false;
        DateTimeOffset? lastWave = null;
        foreach (var change in journal)
        {
            switch (change)
            {
                case UserJoined: tickets++; break;
                case LineOpened: preQueue = tickets; break;
                case SettingsChanged c: settings = c.Settings; break;
                case UserLeft l: shopping.Remove(l.Ticket); break;
                case CheckoutCompleted c: if (!shopping.Remove(c.Ticket)) return false; break;
                case AdmissionsExpired e: if (!e.Tickets.All(shopping.Remove)) return false; break;
                case WaveAdmitted a:
                    if (settings.Paused || a.Tickets.Count > settings.WaveSize) return false;
                    if (lastWave is { } previous && a.At - previous < settings.WaveInterval) return false;
                    lastWave = a.At;
                    foreach (var ticket in a.Tickets)
                    {
                        if (!shopping.Add(ticket)) return false;
                        if (ticket <= preQueue) { if (postOpenSeen) return false; continue; }
                        if (ticket <= lastPostOpen) return false;
                        (postOpenSeen, lastPostOpen) = (true, ticket);
                    }
                    if (shopping.Count > settings.MaxActive) return false;
                    break;
            }
        }
        return true;
    }
}
