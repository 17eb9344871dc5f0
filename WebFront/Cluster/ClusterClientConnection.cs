using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using TicketFlow.Hosting;

namespace TicketFlow.WebFront.Cluster;

/// <summary>
/// WebFront's Orleans client in cluster mode. It lives in a small host of its own, started in the background and retried
/// until the cluster answers (one log line per attempt), so the web server is up from the start: while the cluster cannot
/// be reached, grain calls fail fast with <see cref="ClusterUnavailableException"/> (503 + Retry-After) and
/// <c>/health/ready</c> says why. Orleans' client blocks its host's start until it connects, hence the separate host.
/// </summary>
public sealed class ClusterClientConnection : BackgroundService, IClientConnectionRetryFilter, IClusterConnectionStatusObserver
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private readonly IConfiguration? configuration;
    private readonly string? redis;
    private readonly ClusterTls? tls;
    private readonly ILoggerFactory? loggers;
    private readonly ILogger logger;
    private IHost? host;
    private volatile IClusterClient? client;
    private volatile string state = "connecting to the cluster";
    private int attempts;

    /// <param name="redis">The Redis that holds the cluster's membership.</param>
    /// <param name="tls">The cluster's certificates: the gateways admit no client without one.</param>
    public ClusterClientConnection(IConfiguration configuration, string redis, ClusterTls tls, ILoggerFactory loggers)
    {
        (this.configuration, this.redis, this.tls, this.loggers) = (configuration, redis, tls, loggers);
        logger = loggers.CreateLogger<ClusterClientConnection>();
    }

    private ClusterClientConnection(IClusterClient client)
    {
        this.client = client;
        state = "connected";
        logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>A connection that is already made: an Orleans client hosted elsewhere (a test cluster's).</summary>
    public static ClusterClientConnection ForClient(IClusterClient client) => new(client);

    /// <summary>The connected client; null until the first connection succeeds.</summary>
    public IClusterClient? Client => client;

    /// <summary>What the connection is doing, for readiness and for the 503s' detail.</summary>
    public string State => state;

    /// <summary>Raised when gateways came back after the client had none (a silo restart, a cluster restart): observers subscribe again.</summary>
    public event Action? GatewaysRecovered;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration is null || redis is null || tls is null || loggers is null) return; // connected already (ForClient)
        var cluster = ClusterSettings.From(configuration);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.TryAddSingleton(loggers); // the web app's logging
        builder.Services.AddLogging();
        builder.UseOrleansClient(client => tls.Apply(client)
            .UseRedisClustering(redis)
            .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (cluster.ClusterId, cluster.ServiceId))
            .Configure<ClientMessagingOptions>(options => options.ResponseTimeout = cluster.ResponseTimeout)
            .UseConnectionRetryFilter(this)
            .AddClusterConnectionStatusObserver(this));
        builder.Services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(options =>
            options.SupportedNamespacePrefixes.UnionWith(SiloHosting.SerializableExceptionNamespaces));
        host = builder.Build();
        try
        {
            await host.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        client = host.Services.GetRequiredService<IClusterClient>();
        state = "connected";
        logger.LogInformation("Connected to cluster '{ClusterId}' after {Attempts} failed attempts", cluster.ClusterId, attempts);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (host is not null)
        {
            try { await host.StopAsync(cancellationToken); }
            catch (OperationCanceledException) { }
            host.Dispose();
        }
    }

    async Task<bool> IClientConnectionRetryFilter.ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref attempts);
        state = $"the cluster is not reachable (attempt {attempt}): {exception.GetBaseException().Message}";
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 250 * attempt));
        logger.LogWarning("Cluster not reachable (attempt {Attempt}, next in {Delay:0.0} s): {Reason}", attempt, delay.TotalSeconds,
            exception.GetBaseException().Message);
        try { await Task.Delay(delay, cancellationToken); }
        catch (OperationCanceledException) { return false; }
        return true;
    }

    void IClusterConnectionStatusObserver.NotifyClusterConnectionLost()
    {
        state = "lost the connection to every gateway; reconnecting";
        logger.LogWarning("Lost the connection to every gateway of the cluster; reconnecting");
    }

    void IClusterConnectionStatusObserver.NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (client is not null) state = currentNumberOfGateways > 0 ? "connected" : "no gateway reachable";
        if (connectionRecovered || currentNumberOfGateways < previousNumberOfGateways) GatewaysRecovered?.Invoke();
    }
}
