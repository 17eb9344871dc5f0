using TicketFlow.Domain.WaitingRoom;
using static TicketFlow.Domain.Tests.WaitingRoom.WaitingLineTests;

namespace TicketFlow.Domain.Tests.WaitingRoom;

public sealed class PreQueueShuffleTests
{
    [Fact]
    public void Every_pre_queue_order_is_possible_and_none_is_favoured()
    {
        // 4 pre-queue users, 24,000 openings with seeds drawn from a fixed generator: 24 orders, 1,000 expected each.
        const int Openings = 24_000;
        var seeds = new Random(20261122);
        var counts = new Dictionary<string, int>();
        for (var run = 0; run < Openings; run++)
        {
            var seed = seeds.Next();
            var line = Line(new WaitingRoomSettings { Paused = true }, seed);
            for (var i = 0; i < 4; i++) line.Join(User(i), OnSale.AddSeconds(-10 + i));
            line.Tick(OnSale);
            var order = string.Concat(Enumerable.Range(1, 4).OrderBy(t => line.Status(t, OnSale, touch: false)!.Position));
            counts[order] = counts.GetValueOrDefault(order) + 1;
        }
        Assert.Equal(24, counts.Count);
        var expected = Openings / 24.0;
        var chiSquare = counts.Values.Sum(observed => (observed - expected) * (observed - expected) / expected);
        // 23 degrees of freedom; 57.07 is the 99.99th percentile, so a fair shuffle fails this fixed draw with p = 1e-4
        // (generous, because the seeds are fixed and a flaky statistic would be worse than useless). A biased shuffle
        // fails by far: the classic swap-with-any-index mistake gives an expected chi-square of about 740 here.
        Assert.True(chiSquare < 57.07, $"chi-square {chiSquare:F1} over {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}:{c.Value}"))}");
    }
}
