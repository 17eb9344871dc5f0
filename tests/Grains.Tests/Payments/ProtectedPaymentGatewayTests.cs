using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using TicketFlow.Hosting;
using TicketFlow.Payments;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Payments;

/// <summary>The circuit breaker and timeout around a scripted gateway; time is a manual clock unless a test says otherwise.</summary>
public sealed class ProtectedPaymentGatewayTests
{
    private static readonly PaymentBreakerOptions Options = new()
    {
        FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(10), BreakDuration = TimeSpan.FromSeconds(5),
        Timeout = TimeSpan.FromMilliseconds(200),
    };

    private readonly ScriptedGateway inner = new();
    private readonly ManualClock clock = new();
    private readonly List<PaymentBreakerState> transitions = [];
    private readonly ProtectedPaymentGateway gateway;

    public ProtectedPaymentGatewayTests()
    {
        gateway = new ProtectedPaymentGateway(inner, Options, clock);
        gateway.StateChanged += state => { lock (transitions) transitions.Add(state); };
    }

    private static PaymentRequest Request() => new($"pay-{Guid.NewGuid():N}", "user-1", 5_000, "EUR");

    private PaymentBreakerState[] Transitions()
    {
        lock (transitions) return [.. transitions];
    }

    private async Task OpenTheBreakerAsync()
    {
        inner.Behaviour = Behaviour.Fail;
        for (var i = 0; i < Options.MinimumThroughput; i++)
            await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));
        Assert.Equal(PaymentBreakerState.Open, gateway.BreakerState);
    }

    [Fact]
    public async Task Gateway_errors_open_the_breaker_and_later_calls_fail_fast_without_reaching_the_gateway()
    {
        await OpenTheBreakerAsync();
        var callsWhenOpened = inner.Calls;

        var unavailable = await Assert.ThrowsAsync<PaymentUnavailableException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));

        Assert.InRange(unavailable.RetryAfter, TimeSpan.FromTicks(1), Options.BreakDuration);
        Assert.Equal(callsWhenOpened, inner.Calls);
        await Eventually.True(() => Transitions().SequenceEqual([PaymentBreakerState.Open]), because: "StateChanged reports the opening");
    }

    [Fact]
    public async Task The_retry_after_shrinks_as_the_break_passes()
    {
        await OpenTheBreakerAsync();
        clock.Advance(TimeSpan.FromSeconds(3));

        var unavailable = await Assert.ThrowsAsync<PaymentUnavailableException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));

        Assert.InRange(unavailable.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task After_the_break_a_successful_probe_closes_the_breaker()
    {
        await OpenTheBreakerAsync();
        inner.Behaviour = Behaviour.Succeed;
        clock.Advance(Options.BreakDuration);

        var payment = await gateway.CaptureAsync(Request(), CancellationToken.None);

        Assert.Equal(PaymentStatus.Captured, payment.Status);
        Assert.Equal(PaymentBreakerState.Closed, gateway.BreakerState);
        await Eventually.True(() => Transitions().SequenceEqual([PaymentBreakerState.Open, PaymentBreakerState.HalfOpen, PaymentBreakerState.Closed]),
            because: "StateChanged reports open, half-open, closed");
    }

    [Fact]
    public async Task A_failed_probe_opens_the_breaker_again()
    {
        await OpenTheBreakerAsync();
        clock.Advance(Options.BreakDuration);

        await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));

        Assert.Equal(PaymentBreakerState.Open, gateway.BreakerState);
        await Assert.ThrowsAsync<PaymentUnavailableException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));
    }

    [Fact]
    public async Task Declines_are_answers_and_never_open_the_breaker()
    {
        inner.Behaviour = Behaviour.Decline;

        for (var i = 0; i < 20; i++)
            Assert.Equal(PaymentStatus.Declined, (await gateway.CaptureAsync(Request(), CancellationToken.None)).Status);

        Assert.Equal(PaymentBreakerState.Closed, gateway.BreakerState);
        Assert.Equal(20, inner.Calls);
        Assert.Empty(Transitions());
    }

    [Fact]
    public async Task Failures_below_the_minimum_throughput_do_not_open_the_breaker()
    {
        inner.Behaviour = Behaviour.Fail;

        for (var i = 0; i < Options.MinimumThroughput - 1; i++)
            await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));

        Assert.Equal(PaymentBreakerState.Closed, gateway.BreakerState);
    }

    [Fact]
    public async Task A_hung_gateway_times_out_as_a_gateway_error_and_counts_against_the_breaker()
    {
        inner.Behaviour = Behaviour.Hang;

        for (var i = 0; i < Options.MinimumThroughput; i++)
        {
            var error = await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));
            Assert.Contains("timed out", error.Message);
        }

        Assert.Equal(PaymentBreakerState.Open, gateway.BreakerState);
    }

    [Fact]
    public async Task A_timeout_reaches_the_caller_of_the_checkout_grain_intact()
    {
        // The error leaves the silo in a grain's reply: it must serialize as the silo is configured (Orleans refuses an exception,
        // inner ones included, from a namespace it was not told about: the caller got a CodecNotFoundException and a 500).
        inner.Behaviour = Behaviour.Hang;
        var error = await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));

        var serializer = new ServiceCollection()
            .AddSerializer()
            .Configure<ExceptionSerializationOptions>(options => options.SupportedNamespacePrefixes.UnionWith(SiloHosting.SerializableExceptionNamespaces))
            .BuildServiceProvider()
            .GetRequiredService<Serializer>();
        var received = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(error));

        Assert.IsType<PaymentGatewayException>(received);
        Assert.Contains("timed out", received.Message);
    }

    [Fact]
    public async Task Refunds_and_reads_fail_fast_while_the_breaker_is_open()
    {
        await OpenTheBreakerAsync();
        var callsWhenOpened = inner.Calls;

        await Assert.ThrowsAsync<PaymentUnavailableException>(() => gateway.RefundAsync(new PaymentRefund("pay-1", "pay-1", 5_000), CancellationToken.None));
        await Assert.ThrowsAsync<PaymentUnavailableException>(() => gateway.GetAsync("pay-1", CancellationToken.None));

        Assert.Equal(callsWhenOpened, inner.Calls);
    }

    [Fact]
    public async Task A_caller_cancellation_is_not_a_gateway_failure()
    {
        inner.Behaviour = Behaviour.Hang;
        var patient = new ProtectedPaymentGateway(inner, new PaymentBreakerOptions { MinimumThroughput = 2, Timeout = TimeSpan.FromMinutes(1) }, clock);

        for (var i = 0; i < 4; i++)
        {
            using var caller = new CancellationTokenSource();
            var call = patient.CaptureAsync(Request(), caller.Token);
            await caller.CancelAsync(); // the caller gives up while the gateway hangs
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        Assert.Equal(PaymentBreakerState.Closed, patient.BreakerState);
    }

    [Fact]
    public async Task A_failing_state_subscriber_does_not_fail_the_payment()
    {
        gateway.StateChanged += _ => throw new InvalidOperationException("dashboard is down");

        await OpenTheBreakerAsync();

        await Assert.ThrowsAsync<PaymentUnavailableException>(() => gateway.CaptureAsync(Request(), CancellationToken.None));
    }

    [Fact]
    public async Task With_the_system_clock_the_breaker_half_opens_after_the_break_duration()
    {
        var script = new ScriptedGateway { Behaviour = Behaviour.Fail };
        var real = new ProtectedPaymentGateway(script, new PaymentBreakerOptions { MinimumThroughput = 2, BreakDuration = TimeSpan.FromMilliseconds(500) });
        for (var i = 0; i < 2; i++)
            await Assert.ThrowsAsync<PaymentGatewayException>(() => real.CaptureAsync(Request(), CancellationToken.None));
        Assert.Equal(PaymentBreakerState.Open, real.BreakerState);
        script.Behaviour = Behaviour.Succeed;

        var payment = await Eventually.Get(() => real.CaptureAsync(Request(), CancellationToken.None), _ => true, because: "the breaker lets a probe through");

        Assert.Equal(PaymentStatus.Captured, payment.Status);
        Assert.Equal(PaymentBreakerState.Closed, real.BreakerState);
    }

    private enum Behaviour
    {
        Succeed,
        Decline,
        Fail,
        Hang,
    }

    /// <summary>A stand-in for the gateway that answers as the test says and counts the calls that reached it.</summary>
    private sealed class ScriptedGateway : IPaymentGateway
    {
        private int calls;

        public Behaviour Behaviour { get; set; }

        public int Calls => Volatile.Read(ref calls);

        public Task<Payment> CaptureAsync(PaymentRequest request, CancellationToken cancellationToken) =>
            Answer(status => new Payment(request.PaymentId, status, request.AmountMinor, request.Currency,
                status == PaymentStatus.Declined ? "card_declined" : null, DateTimeOffset.UtcNow));

        public async Task<Payment?> RefundAsync(PaymentRefund refund, CancellationToken cancellationToken) =>
            await Answer(_ => new Payment(refund.PaymentId, PaymentStatus.Refunded, 5_000, "EUR", null, DateTimeOffset.UtcNow));

        public async Task<Payment?> GetAsync(string paymentId, CancellationToken cancellationToken) =>
            await Answer(status => new Payment(paymentId, status, 5_000, "EUR", null, DateTimeOffset.UtcNow));

        private Task<Payment> Answer(Func<PaymentStatus, Payment> payment)
        {
            Interlocked.Increment(ref calls);
            return Behaviour switch
            {
                Behaviour.Succeed => Task.FromResult(payment(PaymentStatus.Captured)),
                Behaviour.Decline => Task.FromResult(payment(PaymentStatus.Declined)),
                Behaviour.Fail => Task.FromException<Payment>(new PaymentGatewayException("gateway error")),
                _ => new TaskCompletionSource<Payment>().Task, // never answers and ignores cancellation, like a hung connection
            };
        }
    }

    /// <summary>Time that moves only when the test moves it; timers still run on the real clock.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private readonly Lock gate = new();
        private DateTimeOffset now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow()
        {
            lock (gate) return now;
        }

        public void Advance(TimeSpan by)
        {
            lock (gate) now += by;
        }
    }
}
