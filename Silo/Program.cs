using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;
using TicketFlow.Data;
using TicketFlow.Domain.Security;
using TicketFlow.Hosting;
using TicketFlow.Hosting.Storage;
using TicketFlow.Silo.Health;
using TicketFlow.Silo.Membership;

// An Orleans silo: membership in Redis, grain state, journals and reminders in PostgreSQL; /metrics and /health/* on a
// management port of its own (loopback by default). SIGTERM leaves the cluster gracefully.
var builder = WebApplication.CreateSlimBuilder(args);
var configuration = builder.Configuration;
var postgres = ClusterSettings.PostgresConnectionString(configuration);
var redis = ClusterSettings.RedisConnectionString(configuration);
var signingKey = configuration["TICKETFLOW_SIGNING_KEY"];
string[] missing =
[
    .. postgres is null ? ["TICKETFLOW_POSTGRES (a PostgreSQL connection string: grain state, journals, reminders)"] : Array.Empty<string>(),
    .. redis is null ? ["TICKETFLOW_REDIS (a Redis configuration string such as 127.0.0.1:6379,password=...: cluster membership)"] : Array.Empty<string>(),
    .. string.IsNullOrWhiteSpace(signingKey) ? ["TICKETFLOW_SIGNING_KEY (the WebFronts' key, at least 32 random bytes in base64: admission tokens)"] : Array.Empty<string>(),
    .. ClusterTls.Missing(configuration),
];
if (missing.Length > 0)
{
    Console.Error.WriteLine($"A silo needs: {string.Join("; ", missing)}.");
    return 64;
}

var management = Management.From(configuration, defaultPort: 11180);
builder.WebHost.UseUrls(management.Url); // the only HTTP port: grain traffic uses Orleans' own silo and gateway ports
builder.Logging.AddSimpleConsole();
await using var dataSource = PostgresDataSource.Create(postgres!);
builder.Services.AddSingleton(dataSource);
builder.Services.AddSingleton(SigningKey.FromBase64(signingKey!.Trim()));
builder.Services.AddTicketFlowTelemetry(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<SiloReadinessCheck>("silo", tags: ["ready"]);
builder.Services.AddHostedService<MembershipLossGuard>();
builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, OlderGenerationCleanup>();
var tls = ClusterTls.FromConfiguration(configuration); // silo-to-silo and gateway connections: the cluster's certificates only
builder.UseOrleans(silo => tls.Apply(silo)
    .UseRedisClustering(redis!)
    .ConfigureEndpoints(IPAddress.Parse(configuration["Silo:AdvertisedAddress"] ?? "127.0.0.1"),
        configuration.GetValue("Silo:Port", 11111), configuration.GetValue("Silo:GatewayPort", 30000),
        listenOnAnyHostAddress: configuration.GetValue("Silo:ListenOnAnyAddress", false))
    .AddTicketFlow(configuration, ClusterStorage.PostgreSql(dataSource)));

var app = builder.Build();
await RedisAvailability.WaitAsync(redis!, app.Logger, CancellationToken.None); // before Orleans, which would give up
app.MapMetrics(management);
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.Lifetime.ApplicationStarted.Register(() =>
{
    // Whatever the log level: operators and scripts wait for this line (the silo is Active in the cluster by now).
    var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
    using var process = System.Diagnostics.Process.GetCurrentProcess(); // start-up cost: what a restart on a busy machine waits for
    Console.WriteLine($"Silo {silo.SiloAddress} is serving grains (cluster '{silo.ClusterId}', gateway {silo.GatewayAddress}); management on {management.Url}; "
        + $"started in {(DateTime.Now - process.StartTime).TotalSeconds:0.0} s with {process.TotalProcessorTime.TotalSeconds:0.0} s of CPU");
});
await app.RunAsync();
return Environment.ExitCode; // MembershipLossGuard.ExitCode when membership was lost: start the silo again
