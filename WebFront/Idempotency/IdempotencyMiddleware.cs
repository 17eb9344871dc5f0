using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Idempotency;

/// <summary>Marks an endpoint whose effects must happen once per Idempotency-Key.</summary>
public sealed class RequiresIdempotencyKey;

public sealed class IdempotencyOptions
{
    /// <summary>How long a key and its response are kept (API contract: 24 h).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a duplicate waits for the first request with its key to finish before it gets 409.</summary>
    public TimeSpan WaitForInFlight { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A claim unfinished for this long belonged to a request that died with its process: the key is free again.
    /// Keep it well above the longest request (grain calls time out after 30 s).</summary>
    public TimeSpan InProgressLease { get; set; } = TimeSpan.FromMinutes(2);
}

public static class IdempotencyEndpointExtensions
{
    /// <summary>Same key + same body → the first response replayed; same key + other body → 422; no key → 400.</summary>
    public static TBuilder RequireIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresIdempotencyKey());
}

/// <summary>
/// Runs a marked request once per (user, Idempotency-Key): the first request claims the key in durable storage, its
/// response is stored and replayed to every later request with the same key and body. Keys are scoped to the user.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IIdempotencyStore store, IOptions<IdempotencyOptions> options, TimeProvider time,
    ILogger<IdempotencyMiddleware> logger)
{
    public const string Header = "Idempotency-Key";

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequiresIdempotencyKey>() is null)
        {
            await next(http);
            return;
        }
        var keys = http.Request.Headers[Header];
        if (keys.Count > 1 || keys.ToString().Contains(','))
        {
            // Repeated headers arrive as several values or, joined by a proxy or client, as one with commas: either way
            // two keys, and guessing which one is meant could run a purchase twice.
            await Problems.Validation(new Dictionary<string, string[]> { [Header] = ["Send one Idempotency-Key header, without commas."] }).ExecuteAsync(http);
            return;
        }
        var key = keys.ToString();
        if (key.Length is 0 or > 100)
        {
            await Problems.Validation(new Dictionary<string, string[]> { [Header] = ["Send an Idempotency-Key header of 1 to 100 characters."] }).ExecuteAsync(http);
            return;
        }
        var user = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
        var hash = await HashRequestAsync(http.Request);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var now = time.GetUtcNow();
            var claim = await store.TryBeginAsync(user, key, hash, now, now + options.Value.Retention, now - options.Value.InProgressLease, http.RequestAborted);
            switch (claim.Outcome)
            {
                case BeginOutcome.Began:
                    await RunAndRememberAsync(http, user, key);
                    return;
                case BeginOutcome.Completed:
                    await ReplayAsync(http, claim.Response!);
                    return;
                case BeginOutcome.Mismatch:
                    await Problems.Of(ProblemCodes.IdempotencyKeyReused, "This Idempotency-Key was used with a different request.").ExecuteAsync(http);
                    return;
                case BeginOutcome.InProgress when deadline.Elapsed < options.Value.WaitForInFlight:
                    await Task.Delay(50, http.RequestAborted); // the first request with this key is still running
                    continue;
                default:
                    // Past the wait, the claim's owner is most likely gone: the key frees when its lease lapses, not in a second.
                    var lapses = (claim.ClaimedAt ?? now) + options.Value.InProgressLease - now;
                    var seconds = Math.Max(1, (int)Math.Ceiling(lapses.TotalSeconds));
                    http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await Problems.Of(ProblemCodes.IdempotencyInProgress,
                        $"A request with this Idempotency-Key is still being processed; if it never finishes, the key is free in {seconds} s.").ExecuteAsync(http);
                    return;
            }
        }
    }

    private async Task RunAndRememberAsync(HttpContext http, string user, string key)
    {
        var original = http.Response.Body;
        var clientAborted = http.RequestAborted;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        // The claimed request runs to its end even if the client goes away: its response is what the client's retry gets.
        // (With the client's token, ASP.NET Core's JSON writers skip the body once it is gone, and a bodiless 201 was stored.)
        http.RequestAborted = CancellationToken.None;
        try
        {
            await next(http);
        }
        catch
        {
            await store.AbandonAsync(user, key, CancellationToken.None);
            throw;
        }
        finally
        {
            http.Response.Body = original;
            http.RequestAborted = clientAborted;
        }
        var body = captured.ToArray();
        // A server-side failure is not an outcome worth replaying, nor is a response cut short (a content type, no body):
        // let the client's retry run again. (Marked endpoints answer with a bounded, buffered body; never a stream.)
        var cutShort = body.Length == 0 && http.Response.ContentType is not null;
        if (cutShort) logger.LogError("{Path} answered {Status} {ContentType} without a body; Idempotency-Key released", http.Request.Path, http.Response.StatusCode, http.Response.ContentType);
        if (http.Response.StatusCode >= 500 || cutShort) await store.AbandonAsync(user, key, CancellationToken.None);
        else await store.CompleteAsync(user, key, new StoredResponse(http.Response.StatusCode, http.Response.ContentType,
            http.Response.Headers.Location.Count > 0 ? http.Response.Headers.Location.ToString() : null, body), CancellationToken.None);
        await original.WriteAsync(body, http.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext http, StoredResponse response)
    {
        http.Response.StatusCode = response.StatusCode;
        if (response.ContentType is not null) http.Response.ContentType = response.ContentType;
        if (response.Location is not null) http.Response.Headers.Location = response.Location;
        http.Response.Headers["Idempotent-Replayed"] = "true";
        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
    }

    // The request's identity: method, path and body bytes.
    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0) hash.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
