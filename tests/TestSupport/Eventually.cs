using System.Diagnostics;

namespace TicketFlow.Testing;

/// <summary>Polls a condition until it holds or a deadline passes: tests never sleep to wait for things.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        T last = default!;
        while (clock.Elapsed < limit)
        {
            try
            {
                last = await probe();
                if (condition(last)) return last;
            }
            catch (Exception error)
            {
                lastError = error;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"Condition not met within {limit}{(because is null ? "" : $": {because}")}; last value {last}", lastError);
    }

    public static Task True(Func<bool> condition, TimeSpan? timeout = null, string? because = null) =>
        Get(() => Task.FromResult(condition()), ok => ok, timeout, because);
}
