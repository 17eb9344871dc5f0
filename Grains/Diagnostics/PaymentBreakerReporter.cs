using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using TicketFlow.Payments;

namespace TicketFlow.Grains.Diagnostics;

/// <summary>
/// Reports this silo's payment breaker to the <see cref="IClusterHealthGrain"/> on every change and every
/// <see cref="DependencyReport.Period"/>, so every WebFront's readiness shows it. Best effort: a lost report is sent again.
/// </summary>
public sealed class PaymentBreakerReporter(ProtectedPaymentGateway gateway, IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<PaymentBreakerReporter> logger) : BackgroundService
{
    public const string Dependency = "payments";

    public static string Describe(PaymentBreakerState state) => state switch
    {
        PaymentBreakerState.Open => "open",
        PaymentBreakerState.HalfOpen => "half_open",
        _ => "closed",
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grain calls work once the silo has started (it is a hosted service too): from then on one rule says what to retry.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        var changed = new SemaphoreSlim(0);
        void OnChanged(PaymentBreakerState _) => changed.Release();
        gateway.StateChanged += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await grains.GetGrain<IClusterHealthGrain>(IClusterHealthGrain.Key)
                        .Report(new DependencyReport(silo.SiloAddress.ToString(), Dependency, Describe(gateway.BreakerState), time.GetUtcNow()));
                }
                catch (Exception error) when (GrainCallFailures.IsTransient(error))
                {
                    logger.LogDebug("Payment breaker report not delivered ({Reason}); sent again in {Period}", error.Message, DependencyReport.Period);
                }
                await changed.WaitAsync(DependencyReport.Period, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            gateway.StateChanged -= OnChanged;
        }
    }
}
