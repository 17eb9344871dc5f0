using StackExchange.Redis;

namespace TicketFlow.Silo.Membership;

/// <summary>
/// Orleans' Redis clustering gives up within seconds when Redis does not answer at start, and the silo would exit. A silo
/// that starts before its Redis (a whole site coming back, Redis restarting) waits for it instead, with one log line per
/// <see cref="LogEvery"/>; WebFronts answer 503 + Retry-After meanwhile, as for any cluster they cannot reach.
/// </summary>
public static class RedisAvailability
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    public static async Task WaitAsync(string configuration, ILogger logger, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)Retry.TotalMilliseconds * 2;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var lastLog = TimeSpan.MinValue;
        using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        while (true)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                if (lastLog != TimeSpan.MinValue) logger.LogInformation("Redis answers after {Seconds:0} s: joining the cluster", waited.Elapsed.TotalSeconds);
                return;
            }
            catch (Exception error) when (error is RedisException or TimeoutException)
            {
                if (lastLog == TimeSpan.MinValue || waited.Elapsed - lastLog >= LogEvery)
                {
                    lastLog = waited.Elapsed;
                    logger.LogWarning("Redis ({Endpoints}) does not answer: {Error}. The silo waits for it (cluster membership lives there); {Seconds:0} s so far",
                        string.Join(", ", options.EndPoints), error.Message, waited.Elapsed.TotalSeconds);
                }
                await Task.Delay(Retry, cancellationToken);
            }
        }
    }
}
