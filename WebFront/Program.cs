using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TicketFlow.Hosting;
using TicketFlow.WebFront;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Admin;
using TicketFlow.WebFront.Availability;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Cluster;
using TicketFlow.WebFront.Conventions;
using TicketFlow.WebFront.Health;
using TicketFlow.WebFront.Idempotency;
using TicketFlow.WebFront.Orders;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.Seating;
using TicketFlow.WebFront.Security;
using TicketFlow.WebFront.Site;
using TicketFlow.WebFront.Transfers;
using TicketFlow.WebFront.Venues;
using TicketFlow.WebFront.WaitingRoom;

var builder = WebApplication.CreateBuilder(args);
// /metrics listens on a management port of its own (loopback by default), beside the public URLs (--urls, ASPNETCORE_URLS).
var management = Management.From(builder.Configuration, defaultPort: 5081);
var publicUrls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } urls ? urls : "http://localhost:5080";
builder.WebHost.UseUrls($"{publicUrls};{management.Url}");

builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
    // Problems raised by the framework itself (unreadable input, unknown routes) get a stable code too.
    context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
    if (context.HttpContext.Response.StatusCode == StatusCodes.Status503ServiceUnavailable) context.HttpContext.Response.Headers.RetryAfter = "1";
});
// The on-sale's request and response bodies by generated code (System.Text.Json source generation); the rest by reflection.
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, HotPathJson.Default));
builder.Services.AddOpenApi();
builder.Services.AddApiReference(); // the bearer scheme and the introduction in /openapi/v1.json
builder.AddGrainAccess(); // embedded silo on SQLite, or a client of the cluster
// Over HTTPS (here or at a TLS proxy in front: Site:Https) the session cookie is Secure with the __Host- prefix.
var servedOverHttps = publicUrls.Contains("https://", StringComparison.OrdinalIgnoreCase) || builder.Configuration.GetValue<bool>("Site:Https");
builder.Services.AddAccounts(builder.Configuration, servedOverHttps);
builder.Services.AddAdminPolicy();
builder.Services.AddIdempotency(builder.Configuration);
builder.Services.AddCatalog(builder.Configuration);
builder.Services.AddOrders(builder.Configuration);
builder.Services.AddTransfers(builder.Configuration);
builder.Services.AddPurchases(builder.Configuration);
builder.Services.AddAvailabilityHub(builder.Configuration); // the live-update hub's connection limits (section Hub)
builder.Services.AddTicketFlowRateLimits(builder.Configuration);
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddTicketFlowDataProtection(); // one key ring in the store: a token from one WebFront works on all
builder.Services.AddTicketFlowTelemetry(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
builder.Services.AddSitePages();

var app = builder.Build();
app.Logger.LogInformation("TicketFlow WebFront starting: {Mode}; public {Urls}, management {Management}", GrainAccess.Describe(builder.Configuration),
    publicUrls, management.Url);
app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
    "TicketFlow is ready on {Urls}: try GET {First}/api/v1/events, or buy a ticket with docs/examples/buy-a-ticket.sh (README)",
    publicUrls, publicUrls.Split(';')[0].Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost")));

// First: everything after (rate limits, logs) sees the client's address, taken from X-Forwarded-For only as far as
// the hops that added it are trusted proxies (loopback by default; TrustedProxyOptions).
app.UseForwardedHeaders();
app.UseMiddleware<CorrelationIdMiddleware>();
app.UseMiddleware<SecurityHeadersMiddleware>();
// Unreadable input is the client's fault: 400, never 500 (minimal APIs throw it in Development); a cluster or database
// that cannot answer is a 503 with Retry-After.
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = Problems.StatusFor });
app.UseStatusCodePages(); // bare 4xx (e.g. unreadable JSON) get a problem-details body too
app.UseSiteStaticFiles(); // wwwroot: styles, the pages' scripts, the SignalR client (before authentication: nobody's)
// Before authentication: a cached page or catalog answer is the same for everyone (only such endpoints opt in), so a hit
// does not pay for reading the session cookie. Nothing user-specific may be cached (docs/ARCHITECTURE.md, "The web UI").
app.UseOutputCache();
app.UseAuthentication();
app.UseMiddleware<CrossSiteRequestMiddleware>(); // a change the session cookie authenticates must come from our pages
app.UseAuthorization();
app.UseRateLimiter();
app.UseMiddleware<IdempotencyMiddleware>(); // for endpoints marked RequireIdempotencyKey() (the purchase calls)

// Every endpoint declares who may call it (AllowAnonymous or RequireAuthorization): AuthorizationMatrixTests checks.
app.MapOpenApi().AllowAnonymous(); // /openapi/v1.json
app.MapApiReference(); // /docs/api
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthReportWriter.WriteAsync }).AllowAnonymous();
app.MapMetrics(management);
app.MapAccountEndpoints();
app.MapAdminEndpoints();
app.MapDashboard();
app.MapCatalogEndpoints();
app.MapVenueEndpoints();
app.MapOrderEndpoints();
app.MapTransferEndpoints();
app.MapPurchaseEndpoints();
app.MapAvailabilityEndpoints();
app.MapSeatMapEndpoints();
app.MapWaitingRoomEndpoints();
app.MapRazorPages(); // the web UI: WebFront/Pages

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
