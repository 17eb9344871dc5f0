using TicketFlow.Runtime.Statistics;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Admin;

/// <summary><c>/api/v1/admin/*</c>: operator views, admins only.</summary>
public static class AdminEndpoints
{
    public const string Policy = "admin";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(Policy).WithTags("Admin");
        // Dashboard data: per silo status, activations, per grain method calls/errors/latency, reminders, group commits, process.
        admin.MapGet("/cluster", async (ISiloReports silos, CancellationToken cancellationToken) =>
            Results.Ok(new { silos = await silos.GetSiloReportsAsync(cancellationToken) }));
        return app;
    }

    public static IServiceCollection AddAdminPolicy(this IServiceCollection services) =>
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireRole(Roles.Admin)).Services;
}
