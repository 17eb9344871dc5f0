using Orleans.Dashboard;
using TicketFlow.Hosting;

namespace TicketFlow.WebFront.Admin;

/// <summary>The Orleans Dashboard at <see cref="ClusterDashboard.Path"/>, admins only.</summary>
public static class DashboardEndpoints
{
    // Its per-silo data routes hand the address in the path to a grain that throws on anything but a silo address (a 500).
    private static readonly string[] SiloRoutes = ["/HistoricalStats/", "/SiloProperties/", "/SiloMetadata/", "/SiloStats/", "/SiloCounters/"];

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(ClusterDashboard.Path)
            .RequireAuthorization(AdminEndpoints.Policy)
            .AddEndpointFilter(UnknownSiloIsNotFound)
            .ExcludeFromDescription();
        return app;
    }

    private static async ValueTask<object?> UnknownSiloIsNotFound(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var path = context.HttpContext.Request.Path.Value ?? "";
        var route = SiloRoutes.FirstOrDefault(r => path.Contains(r, StringComparison.Ordinal));
        if (route is not null && !IsSiloAddress(path[(path.IndexOf(route, StringComparison.Ordinal) + route.Length)..]))
            return Problems.Of(ProblemCodes.SiloNotFound);
        return await next(context);
    }

    private static bool IsSiloAddress(string text)
    {
        try
        {
            return SiloAddress.FromParsableString(Uri.UnescapeDataString(text)) is not null;
        }
        catch (Exception error) when (error is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
