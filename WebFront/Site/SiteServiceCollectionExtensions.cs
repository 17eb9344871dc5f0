using TicketFlow.WebFront.Admin;

namespace TicketFlow.WebFront.Site;

public static class SiteServiceCollectionExtensions
{
    /// <summary>The web UI: Razor Pages rendered on the server (no per-user server state), admin pages for admins, and the
    /// output-cache policy of the public pages.</summary>
    public static IServiceCollection AddSitePages(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/Admin", AdminEndpoints.Policy);
            options.Conventions.AuthorizeFolder("/Me");
            options.Conventions.AuthorizeFolder("/Holds");
            options.Conventions.AuthorizeFolder("/Orders");
            options.Conventions.AuthorizePage("/Events/Queue");
            options.Conventions.AuthorizePage("/Account/Password");
            options.Conventions.AuthorizePage("/Account/SignOutEverywhere");
            foreach (var page in new[] { "/Index", "/Events/Event", "/Account/Index", "/Account/SignIn", "/Account/SignUp", "/Account/SignOut", "/Account/Denied" })
                options.Conventions.AllowAnonymousToPage(page); // declared: every endpoint says who may call it
            options.Conventions.AddPageRoute("/Admin/EditEvent", "/admin/events/new"); // and /admin/events/{eventId}/edit
        });
        services.AddOutputCache(options => options.AddPolicy(PageCachePolicy.Name, new PageCachePolicy()));
        return services;
    }

    /// <summary>wwwroot. A URL with the <c>v</c> (content hash) query the pages put on every asset is immutable: cached a year.</summary>
    public static IApplicationBuilder UseSiteStaticFiles(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl =
                file.Context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "public, max-age=300",
        });
}
