using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace TicketFlow.WebFront.Conventions;

/// <summary>Limits of the <c>auth</c> policy (login and register), per client IP. Configuration section <c>RateLimits:Auth</c>.</summary>
public sealed class AuthRateLimitOptions
{
    /// <summary>Attempts allowed per window and IP address.</summary>
    public int PermitLimit { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public static class RateLimits
{
    public const string Auth = "auth";

    /// <summary>The built-in rate limiter; rejections are 429 problem details with <c>Retry-After</c>.</summary>
    public static IServiceCollection AddTicketFlowRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = configuration.GetSection("RateLimits:Auth").Get<AuthRateLimitOptions>() ?? new AuthRateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Auth, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = auth.PermitLimit, Window = auth.Window, QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : auth.Window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Problems.Problem(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many attempts; try again later.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }
}
