using System.Reflection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TicketFlow.AppHost;

/// <summary>The cluster's processes as Aspire resources.</summary>
public static class ClusterResources
{
    /// <summary>The AppHost's build configuration: the silos and WebFronts were built with it, beside it.</summary>
    private static readonly string Configuration =
        typeof(ClusterResources).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static IResourceBuilder<ExecutableResource> AddPostgresServer(this IDistributedApplicationBuilder builder, ClusterLayout layout)
    {
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("postgres-ready",
            _ => new PostgresReadyCheck(layout), failureStatus: null, tags: null));
        var (command, arguments) = ServerFiles.PostgresServer(layout);
        return builder.AddExecutable("postgres", command, layout.State, arguments)
            .WithEndpoint(port: layout.PostgresPort, targetPort: layout.PostgresPort, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck("postgres-ready")
            .WithIconName("Database")
            .WithCommand("restart-fast", "Restart (fast shutdown)", context => Run(context, faults => faults.RestartPostgresAsync()),
                new CommandOptions { Description = "Stop PostgreSQL with a fast shutdown and start it again: what the chaos run's --restart-postgres-at does", IconName = "ArrowClockwise" });
    }

    public static IResourceBuilder<ExecutableResource> AddRedisServer(this IDistributedApplicationBuilder builder, ClusterLayout layout)
    {
        builder.Services.AddSingleton<ClusterRedis>();
        builder.Services.AddHealthChecks().AddCheck<RedisReadyCheck>("redis-ready");
        return builder.AddExecutable("redis", "redis-server", Path.Combine(layout.State, "redis"), Path.Combine(layout.State, "redis", "redis.conf"))
            .WithEndpoint(port: layout.RedisPort, targetPort: layout.RedisPort, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck("redis-ready")
            .WithIconName("DatabaseLightning")
            .WithCommand("restart-redis", "Restart Redis", context => Run(context, faults => faults.RestartRedisAsync()),
                new CommandOptions { Description = "SIGTERM (Redis writes its append-only file) and start it again on the same port and data", IconName = "ArrowClockwise" })
            .WithCommand("flush", "FLUSHALL", context => Run(context, faults => faults.FlushRedisAsync()),
                new CommandOptions { Description = "Wipe Redis: Orleans' membership table is gone; the silos notice, exit and are started again", IconName = "Delete", ConfirmationMessage = "Wipe the cluster's membership?" });
    }

    public static IResourceBuilder<ExecutableResource> AddSilo(this IDistributedApplicationBuilder builder, ClusterLayout layout, SiloPorts silo,
        IResourceBuilder<ExecutableResource> redis, IResourceBuilder<ExecutableResource>? postgres)
    {
        var (command, folder) = Binary<Projects.TicketFlow_Silo>(layout, "TicketFlow.Silo");
        // Through nice(1), which execs the silo (same pid): every thread of it starts at the silo's priority.
        var niceness = (layout.Options.Nice - layout.Options.SiloPriority).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var resource = builder.AddExecutable(silo.Name, "nice", folder, "-n", niceness, command)
            .WithProcessEnvironment(layout)
            .WithEnvironment("Silo__Port", silo.Port.ToString())
            .WithEnvironment("Silo__GatewayPort", silo.GatewayPort.ToString())
            .WithEnvironment("Silo__AdvertisedAddress", "127.0.0.1")
            .WithEnvironment("Management__Port", silo.ManagementPort.ToString())
            .WithHttpEndpoint(port: silo.ManagementPort, targetPort: silo.ManagementPort, name: "management", isProxied: false)
            .WithEndpoint(port: silo.Port, targetPort: silo.Port, scheme: "tcp", name: "silo", isProxied: false)
            .WithEndpoint(port: silo.GatewayPort, targetPort: silo.GatewayPort, scheme: "tcp", name: "gateway", isProxied: false)
            .WithHttpHealthCheck("/health/ready", endpointName: "management")
            .WithIconName("Server")
            .WaitFor(redis)
            .WithCommand("kill", "kill -9", context => Run(context, faults => faults.KillSiloAsync(silo.Index)),
                new CommandOptions { Description = "SIGKILL: the others declare it dead; the supervisor starts it again", IconName = "Flash" })
            .WithCommand("pause", "Pause 15 s", context => Run(context, faults => faults.PauseSiloForAsync(silo.Index, TimeSpan.FromSeconds(15))),
                new CommandOptions { Description = "SIGSTOP for 15 s, then SIGCONT: declared dead meanwhile, it finds out and exits", IconName = "Pause" })
            .WithCommand("kill-all", "kill -9 every silo", context => Run(context, faults => faults.KillAllSilosAsync()),
                new CommandOptions { Description = "The whole cluster killed at once; the supervisor starts every silo again", IconName = "FlashOff", ConfirmationMessage = "Kill every silo?" });
        return postgres is null ? resource : resource.WaitFor(postgres);
    }

    public static IResourceBuilder<ExecutableResource> AddWebFront(this IDistributedApplicationBuilder builder, ClusterLayout layout, WebFrontPorts webfront,
        IResourceBuilder<ExecutableResource> redis, IResourceBuilder<ExecutableResource>? postgres)
    {
        var (command, folder) = Binary<Projects.TicketFlow_WebFront>(layout, "TicketFlow.WebFront");
        var resource = builder.AddExecutable(webfront.Name, command, folder, "--urls", $"http://127.0.0.1:{webfront.Port}")
            // Load-test configuration, here only (deploy/README.md): besides the loopback nginx's entry, believe the one
            // before it when the client is on loopback too, so that the load tool names a simulated buyer per request
            // (X-Forwarded-For "10.x.y.z"; nginx appends 127.0.0.1). Trust stays the default, loopback. The shipped
            // manifests read one hop (WebFront's default); TicketFlow:Environment:ForwardedHeaders__ForwardLimit=1 does here.
            .WithEnvironment("ForwardedHeaders__ForwardLimit", "2")
            .WithProcessEnvironment(layout)
            .WithEnvironment("Management__Port", webfront.ManagementPort.ToString())
            .WithHttpEndpoint(port: webfront.Port, targetPort: webfront.Port, name: "http", isProxied: false)
            .WithHttpEndpoint(port: webfront.ManagementPort, targetPort: webfront.ManagementPort, name: "management", isProxied: false)
            .WithHttpHealthCheck("/health/ready", endpointName: "http")
            .WithIconName("Globe")
            .WaitFor(redis);
        foreach (var name in new[] { "TICKETFLOW_ADMIN_EMAIL", "TICKETFLOW_ADMIN_PASSWORD" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) resource.WithEnvironment(name, value);
        return postgres is null ? resource : resource.WaitFor(postgres);
    }

    public static IResourceBuilder<ExecutableResource> AddNginx(this IDistributedApplicationBuilder builder, ClusterLayout layout,
        IReadOnlyList<IResourceBuilder<ExecutableResource>> webfronts)
    {
        var folder = ServerFiles.NginxFolder(layout);
        var nginx = builder.AddExecutable("nginx", "nginx", folder, "-p", folder, "-c", Path.Combine(folder, "nginx.conf"),
                "-e", Path.Combine(layout.Logs, "nginx-error.log"), "-g", "daemon off;")
            .WithHttpEndpoint(port: layout.PublicPort, targetPort: layout.PublicPort, name: "http", isProxied: false)
            .WithHttpHealthCheck("/health/live", endpointName: "http")
            .WithIconName("ArrowRouting");
        foreach (var webfront in webfronts) nginx.WaitFor(webfront);
        return nginx;
    }

    private static IResourceBuilder<ExecutableResource> WithProcessEnvironment(this IResourceBuilder<ExecutableResource> resource, ClusterLayout layout)
    {
        foreach (var (name, value) in layout.SharedEnvironment) resource.WithEnvironment(name, value);
        foreach (var (name, value) in layout.Options.Environment) resource.WithEnvironment(name, value);
        return layout.Options.Telemetry ? resource.WithOtlpExporter() : resource;
    }

    /// <summary>
    /// A project's apphost executable in its build output, started directly: a silo is up seconds sooner than through
    /// `dotnet run`. With <see cref="ClusterOptions.ReadyToRun"/>, a ReadyToRun publish of it in the state folder.
    /// </summary>
    private static (string Command, string Folder) Binary<TProject>(ClusterLayout layout, string assembly) where TProject : IProjectMetadata, new()
    {
        var project = new TProject().ProjectPath;
        var folder = layout.Options.ReadyToRun
            ? Publish(project, Path.Combine(layout.State, "bin", assembly), Path.Combine(layout.Logs, $"publish-{assembly}.log"))
            : Path.Combine(Path.GetDirectoryName(project)!, "bin", Configuration, "net10.0");
        var command = Path.Combine(folder, assembly);
        if (!File.Exists(command)) throw new InvalidOperationException($"{command} is missing: build the AppHost (dotnet build deploy/AppHost -c {Configuration})");
        return (command, folder);
    }

    private static readonly Dictionary<string, string> Published = [];

    /// <summary>Once per project and AppHost run (every silo runs the same image).</summary>
    private static string Publish(string project, string output, string log)
    {
        if (Published.TryGetValue(project, out var done)) return done;
        Console.WriteLine($"Publishing {Path.GetFileName(project)} as ReadyToRun into {output} (TicketFlow:ReadyToRun)...");
        File.WriteAllText(log, ClusterLayout.Run("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
            "-p:PublishReadyToRun=true", "-o", output, "--nologo", "-v", "quiet"]));
        return Published[project] = output;
    }

    private static async Task<ExecuteCommandResult> Run(ExecuteCommandContext context, Func<ClusterFaults, Task<string>> fault)
    {
        try
        {
            return CommandResults.Success(await fault(context.Services.GetRequiredService<ClusterFaults>()));
        }
        catch (Exception failure) when (failure is InvalidOperationException or TimeoutException)
        {
            return CommandResults.Failure(failure.Message);
        }
    }
}
