using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Accounts;

/// <summary>How many registrations are tried (configuration section <c>RateLimits:Register</c>); an attempt counts once its
/// fields are valid, before the database says whether the email is taken.</summary>
public sealed class RegisterRateLimitOptions
{
    public const string Section = "RateLimits:Register";

    /// <summary>Attempts per window from one client address: a shared address (NAT, an office) still signs up a crowd.</summary>
    public int PerIpPermitLimit { get; set; } = 20;

    /// <summary>Attempts per window for one email, from any address: enough for a fan's typos, not for probing from many.</summary>
    public int PerEmailPermitLimit { get; set; } = 5;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Registration answers whether an email is taken (409 <c>email_taken</c>: a shop must say so), so it is limited per client
/// address and per email at once: one chained limiter, both partitions must allow. The email is in the body, which the
/// rate-limiting middleware never reads, so the API and the sign-up page ask here. In memory, per WebFront.
/// </summary>
public sealed class RegistrationLimiter(IOptions<RegisterRateLimitOptions> options) : IDisposable
{
    private sealed record Attempt(string Address, string Email);

    private readonly RegisterRateLimitOptions settings = options.Value;

    private readonly PartitionedRateLimiter<Attempt> limiter = PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<Attempt, string>(attempt =>
            RateLimitPartition.GetFixedWindowLimiter("ip:" + attempt.Address, _ => Window(options.Value.PerIpPermitLimit, options.Value.Window))),
        PartitionedRateLimiter.Create<Attempt, string>(attempt =>
            RateLimitPartition.GetFixedWindowLimiter("email:" + attempt.Email, _ => Window(options.Value.PerEmailPermitLimit, options.Value.Window))));

    /// <summary>Counts an attempt; null if it may go ahead, else how long to wait.</summary>
    public TimeSpan? Refusal(IPAddress? client, string email)
    {
        using var lease = limiter.AttemptAcquire(new Attempt(client?.ToString() ?? "unknown", UserAccount.Normalize(email)));
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.Window;
    }

    public void Dispose() => limiter.Dispose();

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0 };
}
