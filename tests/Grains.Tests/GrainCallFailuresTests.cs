using Orleans.Runtime;

namespace TicketFlow.Grains.Tests;

/// <summary>The one rule every caller that retries a grain call uses (grains, the WebFront's filter and health checks).</summary>
public sealed class GrainCallFailuresTests
{
    [Fact]
    public void The_clusters_own_trouble_is_worth_retrying()
    {
        Assert.True(GrainCallFailures.IsTransient(new SiloUnavailableException("gone")));
        Assert.True(GrainCallFailures.IsTransient(new TimeoutException("no answer")));
        Assert.True(GrainCallFailures.IsTransient(new StorageWriteFailedException("not stored")));
        Assert.True(GrainCallFailures.IsTransient(new AggregateException(new TimeoutException(), new SiloUnavailableException())));
    }

    [Fact]
    public void A_grains_own_exception_is_not_and_neither_is_a_mix()
    {
        Assert.False(GrainCallFailures.IsTransient(new InvalidOperationException("a bug")));
        Assert.False(GrainCallFailures.IsTransient(new ArgumentException("a refusal")));
        Assert.False(GrainCallFailures.IsTransient(new AggregateException(new TimeoutException(), new InvalidOperationException())));
        Assert.False(GrainCallFailures.IsTransient(new AggregateException()));
    }
}
