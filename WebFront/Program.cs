using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TicketFlow.WebFront;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Health;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails();
builder.Services.AddGrainAccess(builder.Configuration);
builder.Services.AddAccounts(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);

var app = builder.Build();
app.Logger.LogInformation("TicketFlow WebFront: {Mode}", ClusterConnection.Describe(builder.Configuration));

// Unreadable input is the client's fault: 400, never 500 (minimal APIs throw it in Development).
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = error => error is BadHttpRequestException bad ? bad.StatusCode : 500 });
app.UseStatusCodePages(); // bare 4xx (e.g. unreadable JSON) get a problem-details body too
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapAccountEndpoints();
app.MapGet("/", () => Results.Text("TicketFlow is running. Health: /health/ready\n"));

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
