using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TicketFlow.WebFront;
using TicketFlow.WebFront.Health;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrainAccess(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);

var app = builder.Build();
app.Logger.LogInformation("TicketFlow WebFront: {Mode}", ClusterConnection.Describe(builder.Configuration));

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapGet("/", () => Results.Text("TicketFlow is running. Health: /health/ready\n"));

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
