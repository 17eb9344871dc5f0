using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TicketFlow.WebFront;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Admin;
using TicketFlow.WebFront.Catalog;
using TicketFlow.Runtime.Statistics;
using TicketFlow.WebFront.Conventions;
using TicketFlow.WebFront.Health;
using TicketFlow.WebFront.Idempotency;
using TicketFlow.WebFront.Availability;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.Security;
using TicketFlow.WebFront.WaitingRoom;
using TicketFlow.WebFront.Orders;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
    // Problems raised by the framework itself (unreadable input, unknown routes) get a stable code too.
    context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
    if (context.HttpContext.Response.StatusCode == StatusCodes.Status503ServiceUnavailable) context.HttpContext.Response.Headers.RetryAfter = "1";
});
builder.Services.AddOpenApi();
builder.Services.AddGrainAccess(builder.Configuration);
builder.Services.AddAccounts(builder.Configuration);
builder.Services.AddAdminPolicy();
builder.Services.AddIdempotency(builder.Configuration);
builder.Services.AddCatalog(builder.Configuration);
builder.Services.AddOrders(builder.Configuration);
builder.Services.AddPurchases(builder.Configuration);
builder.Services.AddTicketFlowRateLimits(builder.Configuration);
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddTicketFlowDataProtection(); // one key ring in the store: a token from one WebFront works on all
builder.Services.AddSingleton<HttpMetrics>();
builder.Services.AddSingleton<PrometheusExporter>();
builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);

var app = builder.Build();
app.Logger.LogInformation("TicketFlow WebFront: {Mode}", ClusterConnection.Describe(builder.Configuration));
app.Services.GetRequiredService<PrometheusExporter>(); // listen before the first request is measured

// First: everything after (rate limits, logs) sees the client's address, taken from X-Forwarded-For only as far as
// the hops that added it are trusted proxies (loopback by default; TrustedProxyOptions).
app.UseForwardedHeaders();
app.UseMiddleware<CorrelationIdMiddleware>();
app.UseMiddleware<SecurityHeadersMiddleware>();
app.UseMiddleware<HttpMetricsMiddleware>();
// Unreadable input is the client's fault: 400, never 500 (minimal APIs throw it in Development).
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = Problems.StatusFor });
app.UseStatusCodePages(); // bare 4xx (e.g. unreadable JSON) get a problem-details body too
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseOutputCache();
app.UseMiddleware<IdempotencyMiddleware>(); // for endpoints marked RequireIdempotencyKey() (the purchase calls)

app.MapOpenApi(); // /openapi/v1.json
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthReportWriter.WriteAsync });
app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4")).ExcludeFromDescription();
app.MapAccountEndpoints();
app.MapAdminEndpoints();
app.MapCatalogEndpoints();
app.MapOrderEndpoints();
app.MapPurchaseEndpoints();
app.MapAvailabilityEndpoints();
app.MapWaitingRoomEndpoints();
app.MapGet("/", () => Results.Text("TicketFlow is running. Health: /health/ready\n")).ExcludeFromDescription();

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
