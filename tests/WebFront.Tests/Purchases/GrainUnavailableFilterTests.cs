using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>While the cluster is down every request fails alike: each gets its 503, the log one line per 10 s with a count.</summary>
public sealed class GrainUnavailableFilterTests
{
    [Fact]
    public async Task Every_failed_call_is_a_503_but_the_log_gets_the_first_and_then_one_line_per_ten_seconds_with_the_count()
    {
        var (time, log) = (new ManualTime(), new LinesLogger());
        var filter = new GrainUnavailableFilter(log, time);
        async Task<int> Call()
        {
            var http = new DefaultHttpContext();
            http.Request.Path = "/api/v1/holds";
            var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(http),
                _ => throw new TimeoutException("Response did not arrive on time"));
            Assert.Equal("1", http.Response.Headers.RetryAfter.ToString());
            return ((IStatusCodeHttpResult)result!).StatusCode!.Value;
        }

        for (var i = 0; i < 50; i++) Assert.Equal(503, await Call());
        Assert.Single(log.Lines);
        Assert.Contains("0 more such requests", log.Lines[0]);

        time.Now += TimeSpan.FromSeconds(9);
        Assert.Equal(503, await Call());
        Assert.Single(log.Lines);

        time.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(503, await Call());
        Assert.Equal(2, log.Lines.Count);
        Assert.Contains("/api/v1/holds: the cluster could not answer (TimeoutException: Response did not arrive on time); 50 more such requests", log.Lines[1]);
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class LinesLogger : ILogger<GrainUnavailableFilter>
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
