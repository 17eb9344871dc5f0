using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TicketFlow.WebFront.Health;

/// <summary>Readiness as JSON: the overall status and each check's status, description and data (e.g. the payment breaker's state).</summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        }, JsonSerializerOptions.Web);
    }
}
