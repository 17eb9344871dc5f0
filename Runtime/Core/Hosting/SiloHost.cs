using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Statistics;
using TicketFlow.Runtime.Transport;

namespace TicketFlow.Runtime.Hosting;

/// <summary>How to run one silo process (or one silo of a test cluster).</summary>
public sealed class SiloHostOptions
{
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>Host name other processes use to reach this silo; defaults to the listen address.</summary>
    public string? AdvertisedHost { get; set; }

    public required Func<IServiceProvider, RuntimeStores> Stores { get; init; }

    public required IReadOnlyList<Assembly> GrainAssemblies { get; init; }

    public ClusterOptions Cluster { get; init; } = new();

    public SiloOptions Silo { get; init; } = new();

    /// <summary>Services grains may ask for in their constructors.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>A silo with its Kestrel HTTP/2 endpoint: start, graceful stop, or kill.</summary>
public sealed class SiloHost : IAsyncDisposable
{
    private SiloHost(WebApplication app, SiloRuntime runtime)
    {
        App = app;
        Runtime = runtime;
    }

    public WebApplication App { get; }

    public SiloRuntime Runtime { get; }

    public string Endpoint { get; private set; } = "";

    public static async Task<SiloHost> StartAsync(SiloHostOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenAddress, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is not null) options.ConfigureLogging(builder.Logging);
        else builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        options.ConfigureServices?.Invoke(builder.Services);
        builder.Services.AddSingleton<PrometheusExporter>();
        var app = builder.Build();
        app.Services.GetRequiredService<PrometheusExporter>(); // listening before the first grain call is measured

        var runtime = new SiloRuntime(options.Stores(app.Services), options.GrainAssemblies, options.Cluster, options.Silo,
            app.Services, app.Services.GetRequiredService<ILoggerFactory>());
        app.MapSiloEndpoints(runtime);
        var host = new SiloHost(app, runtime);
        try
        {
            await app.StartAsync(cancellationToken);
            var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            host.Endpoint = $"{options.AdvertisedHost ?? bound.Host}:{bound.Port}";
            await runtime.StartAsync(host.Endpoint, cancellationToken);
            return host;
        }
        catch
        {
            // Nothing half-started stays behind (the port above all), so the caller may try again.
            runtime.Kill();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Graceful: hand every grain over and leave the membership table, then keep answering "not delivered" for
    /// two membership refresh periods so every peer and client has stopped sending here before the port closes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Runtime.StopAsync(cancellationToken);
        await Task.Delay(Runtime.DrainPeriod, cancellationToken);
        await App.StopAsync(cancellationToken);
    }

    /// <summary>As kill -9 would: the silo stops at once and its connections are cut.</summary>
    public async Task KillAsync()
    {
        Runtime.Kill();
        await App.StopAsync(new CancellationToken(canceled: true));
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await App.DisposeAsync();
    }
}
