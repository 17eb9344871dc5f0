using Microsoft.AspNetCore.OutputCaching;

namespace TicketFlow.WebFront.Site;

/// <summary>
/// The output cache for the public pages (browse, event). They are the same bytes for everyone, signed in or not: nothing
/// of the user and no antiforgery token is rendered into them (the header's account part comes from
/// <c>GET /api/v1/auth/session</c>, live counts from the hub). So, unlike the default policy, a request with the session
/// cookie is served from the cache too; a response that sets a cookie is never stored. Entries are tagged with the
/// catalog's tag, so an admin's change evicts them at once; else they live <see cref="Duration"/>.
/// </summary>
public sealed class PageCachePolicy : IOutputCachePolicy
{
    public const string Name = "Page";
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var cacheable = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true; // a stampede on a cold page renders it once
        context.ResponseExpirationTimeSpan = Duration;
        context.CacheVaryByRules.QueryKeys = "*";
        context.Tags.Add(Catalog.CatalogEndpoints.CacheTag);
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}
