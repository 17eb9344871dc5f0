using System.Globalization;
using System.Security.Claims;
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

/// <summary>Limits of the <c>purchase</c> policy (holds, checkout, refunds), per signed-in user. Configuration section <c>RateLimits:Purchase</c>.</summary>
public sealed class PurchaseRateLimitOptions
{
    /// <summary>Requests allowed per window and user: far above what a person clicks, far below a bot.</summary>
    public int PermitLimit { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Limits of waiting-room joins (configuration section <c>RateLimits:Join</c>): per signed-in user, and separately per client IP.</summary>
public sealed class JoinRateLimitOptions
{
    public int PerUserPermitLimit { get; set; } = 10;

    /// <summary>Higher than per user: many buyers can share one address (NAT, offices, mobile carriers).</summary>
    public int PerIpPermitLimit { get; set; } = 100;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Limits of the <c>transfer</c> policy (offer, accept, withdraw), per signed-in user. Configuration section <c>RateLimits:Transfer</c>.</summary>
public sealed class TransferRateLimitOptions
{
    /// <summary>Transfer calls allowed per window and user: a group's tickets handed round, not a spam run.</summary>
    public int PermitLimit { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}

public static class RateLimits
{
    public const string Auth = "auth";
    public const string Purchase = "purchase";
    public const string Join = "join";
    public const string Transfer = "transfer";

    /// <summary>Marks an endpoint for the per-IP join limit, which applies on top of its per-user policy.</summary>
    public sealed class PerIpJoinLimit;

    public static TBuilder RequireJoinRateLimits<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Join).WithMetadata(new PerIpJoinLimit());

    /// <summary>The built-in rate limiter; rejections are 429 problem details with <c>Retry-After</c>.</summary>
    public static IServiceCollection AddTicketFlowRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = configuration.GetSection("RateLimits:Auth").Get<AuthRateLimitOptions>() ?? new AuthRateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Auth, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = auth.PermitLimit, Window = auth.Window, QueueLimit = 0 }));
            var purchase = configuration.GetSection("RateLimits:Purchase").Get<PurchaseRateLimitOptions>() ?? new PurchaseRateLimitOptions();
            limiter.AddPolicy(Purchase, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user:" + user : "ip:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = purchase.PermitLimit, Window = purchase.Window, QueueLimit = 0 }));
            var transfer = configuration.GetSection("RateLimits:Transfer").Get<TransferRateLimitOptions>() ?? new TransferRateLimitOptions();
            limiter.AddPolicy(Transfer, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user:" + user : "ip:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = transfer.PermitLimit, Window = transfer.Window, QueueLimit = 0 }));
            var join = configuration.GetSection("RateLimits:Join").Get<JoinRateLimitOptions>() ?? new JoinRateLimitOptions();
            limiter.AddPolicy(Join, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user:" + user : "ip:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = join.PerUserPermitLimit, Window = join.Window, QueueLimit = 0 }));
            // The global limiter runs for every request; only endpoints marked for it are limited per IP.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.GetEndpoint()?.Metadata.GetMetadata<PerIpJoinLimit>() is null
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetFixedWindowLimiter("join-ip:" + http.Connection.RemoteIpAddress,
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = join.PerIpPermitLimit, Window = join.Window, QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : auth.Window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Problems.Of(ProblemCodes.RateLimited, "Too many attempts; try again later.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }
}
