using TicketFlow.Domain.WaitingRoom;

namespace TicketFlow.Domain.Tests.WaitingRoom;

public sealed class PollPacingTests
{
    [Fact]
    public void A_fan_near_the_front_asks_every_second_and_one_far_back_less_often()
    {
        Assert.Equal(1_000, PollPacing.IntervalMs(waiting: true, aheadOfYou: 5, pollsPerSecond: 10, budget: 5_000));
        Assert.Equal(2_000, PollPacing.IntervalMs(waiting: true, aheadOfYou: 500, pollsPerSecond: 10, budget: 5_000));
        Assert.Equal(5_000, PollPacing.IntervalMs(waiting: true, aheadOfYou: 50_000, pollsPerSecond: 10, budget: 5_000));
        Assert.Equal(5_000, PollPacing.IntervalMs(waiting: true, aheadOfYou: null, pollsPerSecond: 10, budget: 5_000));
    }

    [Fact]
    public void Under_load_the_interval_stretches_in_proportion_so_the_polls_stay_near_the_budget()
    {
        // Twice the budget: every fan asks half as often.
        Assert.Equal(4_000, PollPacing.IntervalMs(waiting: true, aheadOfYou: 500, pollsPerSecond: 10_000, budget: 5_000));
        Assert.Equal(2_500, PollPacing.IntervalMs(waiting: true, aheadOfYou: 5, pollsPerSecond: 12_500, budget: 5_000));
    }

    [Fact]
    public void The_interval_stays_between_one_and_thirty_seconds()
    {
        Assert.Equal(PollPacing.MaxMs, PollPacing.IntervalMs(waiting: true, aheadOfYou: 500, pollsPerSecond: 1_000_000, budget: 5_000));
        Assert.Equal(PollPacing.MinMs, PollPacing.IntervalMs(waiting: true, aheadOfYou: 0, pollsPerSecond: 0, budget: 0));
    }
}
