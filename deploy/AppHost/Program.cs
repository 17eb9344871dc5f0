using TicketFlow.AppHost;

// The local TicketFlow cluster on .NET Aspire: PostgreSQL and Redis (membership: append-only, a password), N Orleans silos,
// M WebFronts and nginx in front, all as processes of this machine, with the cluster's own certificates. Every process's
// logs, traces and metrics go to the Aspire dashboard; chaos (kill -9, SIGSTOP, restarts, FLUSHALL) is a resource command
// there and a call on the loopback control endpoint that the load tool makes (cluster.json in the state folder says where).
var builder = DistributedApplication.CreateBuilder(args);
var layout = ClusterLayout.Prepare(ClusterOptions.From(builder.Configuration));

var postgres = layout.OwnPostgres ? builder.AddPostgresServer(layout) : null;
var redis = builder.AddRedisServer(layout);
foreach (var silo in layout.Silos) builder.AddSilo(layout, silo, redis, postgres);
var webfronts = layout.WebFronts.Select(webfront => builder.AddWebFront(layout, webfront, redis, postgres)).ToList();
builder.AddNginx(layout, webfronts);

builder.Services.AddSingleton(layout);
builder.Services.AddSingleton<ClusterFaults>();
builder.Services.AddHostedService<Supervisor>();
builder.Services.AddHostedService<ControlEndpoint>();
builder.Services.AddHostedService<LogFiles>();

builder.Build().Run();
