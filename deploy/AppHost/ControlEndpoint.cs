using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace TicketFlow.AppHost;

/// <summary>
/// The faults of <see cref="ClusterFaults"/> over HTTP, for the load tool (Aspire's resource commands can only be called
/// inside the AppHost). Loopback only, and every request carries the bearer token of cluster.json (mode 600).
/// <code>
/// GET  /state                          cluster.json, current
/// GET  /silos/{i}/membership           {"generations": [{"generation": g, "status": "Active" | "Dead" | ...}, ...]} oldest first
/// GET  /membership/dead                {"count": n}  silo generations Orleans holds as Dead
/// POST /silos/{i}/kill | pause | resume | start,  /silos/kill-all,  /postgres/restart,  /redis/restart,  /redis/flush
/// </code>
/// A fault answers {"message": "..."}; one that cannot be done answers 409 with a problem.
/// </summary>
public sealed class ControlEndpoint(ClusterLayout layout, ClusterFaults faults, ILogger<ControlEndpoint> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, layout.ControlPort));
        builder.Services.AddProblemDetails();
        await using var app = builder.Build();
        var token = Encoding.UTF8.GetBytes("Bearer " + layout.ControlToken);
        app.Use(async (context, next) =>
        {
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()), token))
            {
                await Results.Problem("The control endpoint needs the bearer token of cluster.json", statusCode: 401).ExecuteAsync(context);
                return;
            }
            await next();
        });

        app.MapGet("/state", () => ClusterStateDocument.From(layout, faults.Processes()));
        app.MapGet("/silos/{index:int}/membership", async (int index) =>
            Results.Ok(new { generations = (await faults.SiloGenerationsAsync(index)).Select(g => new { generation = g.Generation, status = g.Status }) }));
        app.MapGet("/membership/dead", async () => Results.Ok(new { count = await faults.DeadCountAsync() }));
        app.MapPost("/silos/{index:int}/kill", (int index) => Fault(() => faults.KillSiloAsync(index)));
        app.MapPost("/silos/{index:int}/pause", (int index) => Fault(() => faults.PauseSiloAsync(index)));
        app.MapPost("/silos/{index:int}/resume", (int index) => Fault(() => faults.ResumeSiloAsync(index)));
        app.MapPost("/silos/{index:int}/start", (int index) => Fault(() => faults.StartSiloAsync(index)));
        app.MapPost("/silos/kill-all", () => Fault(faults.KillAllSilosAsync));
        app.MapPost("/postgres/restart", () => Fault(faults.RestartPostgresAsync));
        app.MapPost("/redis/restart", () => Fault(faults.RestartRedisAsync));
        app.MapPost("/redis/flush", () => Fault(faults.FlushRedisAsync));

        await app.StartAsync(stoppingToken);
        logger.LogInformation("Control endpoint on {Url} (token in {StateFile})", layout.ControlUrl, layout.StateFile);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);

    }

    private static async Task<IResult> Fault(Func<Task<string>> fault)
    {
        try
        {
            return Results.Ok(new { message = await fault() });
        }
        catch (Exception failure) when (failure is InvalidOperationException or TimeoutException)
        {
            return Results.Problem(failure.Message, statusCode: 409);
        }
    }
}
