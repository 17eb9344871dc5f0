using System.Collections.Concurrent;
using TicketFlow.Payments;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>
/// Test control over the real (simulated) gateway: for chosen payment ids, signal when the capture is stored and
/// wait for the test before answering, or make the grain write that follows the capture fail.
/// </summary>
public sealed class ControllableGateway
{
    private readonly ConcurrentDictionary<string, (TaskCompletionSource Captured, TaskCompletionSource Proceed)> paused = new();
    private readonly ConcurrentDictionary<string, byte> crashAfterCapture = new();
    private readonly ConcurrentDictionary<string, byte> crashAfterRefund = new();

    /// <summary>The capture of <paramref name="paymentId"/> will be stored, then wait for <paramref name="proceed"/>.</summary>
    public Task PauseAfterCapture(string paymentId, Task proceed)
    {
        var captured = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        proceed.ContinueWith(_ => gate.TrySetResult(), TaskScheduler.Default);
        paused[paymentId] = (captured, gate);
        return captured.Task;
    }

    /// <summary>After the capture of <paramref name="paymentId"/> is stored, the next grain write in the cluster fails.</summary>
    public void FailWriteAfterCapture(string paymentId) => crashAfterCapture[paymentId] = 0;

    /// <summary>After the first refund of <paramref name="paymentId"/> is stored, the next grain write in the cluster fails.</summary>
    public void FailWriteAfterRefund(string paymentId) => crashAfterRefund[paymentId] = 0;

    public IPaymentGateway Wrap(IPaymentGateway inner, FaultSwitch faults) => new Controlled(this, inner, faults);

    private sealed class Controlled(ControllableGateway control, IPaymentGateway inner, FaultSwitch faults) : IPaymentGateway
    {
        public async Task<Payment> CaptureAsync(PaymentRequest request, CancellationToken cancellationToken)
        {
            var payment = await inner.CaptureAsync(request, cancellationToken);
            if (control.crashAfterCapture.TryRemove(request.PaymentId, out _)) faults.FailNext(1);
            if (control.paused.TryRemove(request.PaymentId, out var pause))
            {
                pause.Captured.TrySetResult();
                await pause.Proceed.Task;
            }
            return payment;
        }

        public async Task<Payment?> RefundAsync(PaymentRefund refund, CancellationToken cancellationToken)
        {
            var payment = await inner.RefundAsync(refund, cancellationToken);
            if (control.crashAfterRefund.TryRemove(refund.PaymentId, out _)) faults.FailNext(1);
            return payment;
        }

        public Task<Payment?> GetAsync(string paymentId, CancellationToken cancellationToken) => inner.GetAsync(paymentId, cancellationToken);
    }
}
