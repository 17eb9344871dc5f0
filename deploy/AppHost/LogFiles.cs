namespace TicketFlow.AppHost;

/// <summary>
/// Every process's console output also goes to <c>logs/NAME.log</c> in the state folder (the dashboard keeps only the
/// newest lines, and is gone with the AppHost): what a silo printed before it was killed can be read after the run.
/// </summary>
public sealed class LogFiles(ClusterLayout layout, ResourceNotificationService notifications, ResourceLoggerService logs) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var copying = new HashSet<string>();
        var copies = new List<Task>();
        try
        {
            // Logs are kept per resource id (the name and a suffix DCP gives it), which the first event of a resource tells.
            await foreach (var e in notifications.WatchAsync(stoppingToken))
                if (e.Resource is ExecutableResource && copying.Add(e.ResourceId))
                    copies.Add(CopyAsync(e.ResourceId, e.Resource.Name, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(copies);
    }

    private async Task CopyAsync(string resourceId, string name, CancellationToken stoppingToken)
    {
        await using var file = new StreamWriter(Path.Combine(layout.Logs, name + ".log"), append: true) { AutoFlush = true };
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(stoppingToken))
                foreach (var line in batch)
                    await file.WriteLineAsync(line.Content);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
