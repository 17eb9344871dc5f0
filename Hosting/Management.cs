using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TicketFlow.Hosting;

/// <summary>
/// Every process's management port (configuration section <c>Management</c>): <c>/metrics</c> in Prometheus text with
/// Orleans' meter (<c>Microsoft.Orleans</c>) beside TicketFlow's, ASP.NET Core's and the .NET runtime's. It listens on
/// loopback by default and is never the public port, so only the machine (or a scraper it is opened to) reads it.
/// </summary>
public sealed record Management(string Address, int Port)
{
    /// <summary>Meters exported: Orleans' and every <c>TicketFlow.*</c> one.</summary>
    public static readonly string[] Meters = ["Microsoft.Orleans", "TicketFlow.*"];

    public string Url => $"http://{Address}:{Port}";

    /// <param name="defaultPort">The process's own default (WebFront 5081, silo 11180).</param>
    public static Management From(IConfiguration configuration, int defaultPort) =>
        new(configuration["Management:Address"] ?? "127.0.0.1", configuration.GetValue("Management:Port", defaultPort));
}

public static class ManagementExtensions
{
    /// <summary>
    /// OpenTelemetry metrics, exported as Prometheus text at /metrics. When an OTLP collector is configured
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, as the Aspire AppHost sets for each process) logs, traces (ASP.NET Core requests and
    /// Orleans' activity sources) and the same metrics also go there: the Aspire dashboard shows every process of the cluster.
    /// </summary>
    public static IServiceCollection AddTicketFlowTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Management.Meters)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithTracing(tracing => tracing.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application").AddAspNetCoreInstrumentation())
                .WithLogging()
                .UseOtlpExporter();
        }
        return services;
    }

    /// <summary><c>/metrics</c>, answered only on the management port (any other port: 404).</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app, Management management) =>
        app.MapPrometheusScrapingEndpoint("/metrics").RequireHost($"*:{management.Port}").AllowAnonymous();
}
