using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.WebFront.Admin;
using TicketFlow.WebFront.Tests.Purchases;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// Every endpoint the WebFront maps, now and later, read from its endpoint data source: each must declare who may call
/// it (allow anonymous, a signed-in user, or the admin policy), and each is called as anonymous, as a user, as another
/// user (with the first user's hold, order and ticket in its route) and as an admin, and must answer as declared.
/// A new endpoint without a declaration fails the first test; one that answers the wrong caller fails the second.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private const string AdminEmail = "root@ticketflow.test";
    private const string AdminPassword = "admin-password-1";
    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", AdminEmail), ("TICKETFLOW_ADMIN_PASSWORD", AdminPassword),
            ("RateLimits:Purchase:PermitLimit", "100000"), ("RateLimits:Auth:PermitLimit", "100000"), ("RateLimits:Register:PerIpPermitLimit", "100000"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private enum Access { Anonymous, User, Admin }

    private sealed record Route(string Method, string Pattern, Access Access);


    /// <summary>Every endpoint with a route, its methods, and what its metadata declares (null: nothing).</summary>
    private IEnumerable<(RouteEndpoint Endpoint, Access? Access)> Endpoints()
    {
        var source = host.Factory.Services.GetRequiredService<EndpointDataSource>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var metadata = endpoint.Metadata;
            Access? access = metadata.GetMetadata<IAllowAnonymous>() is not null ? Access.Anonymous
                : metadata.GetOrderedMetadata<IAuthorizeData>() is { Count: > 0 } rules
                    ? rules.Any(r => r.Policy == AdminEndpoints.Policy) ? Access.Admin : Access.User
                    : null;
            yield return (endpoint, access);
        }
    }

    [Fact]
    public void Every_endpoint_declares_who_may_call_it()
    {
        var undeclared = Endpoints().Where(e => e.Access is null).Select(e => e.Endpoint.RoutePattern.RawText ?? e.Endpoint.DisplayName).Distinct().Order().ToList();
        Assert.True(undeclared.Count == 0,
            "Endpoints without RequireAuthorization(...) or AllowAnonymous() (declare who may call each):\n" + string.Join("\n", undeclared));
    }

    /// <summary>The API, the hub and the dashboard (pages answer with redirects and are covered by the browser tests).</summary>
    private List<Route> Routes() =>
    [
        .. Endpoints()
            .Where(e => e.Access is not null && e.Endpoint.RoutePattern.RawText is { } raw
                && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/hubs/", StringComparison.Ordinal) || raw.StartsWith("/dashboard", StringComparison.Ordinal)))
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => new Route(method, e.Endpoint.RoutePattern.RawText!, e.Access!.Value)))
            .Distinct(),
    ];

    [Fact]
    public async Task Every_endpoint_answers_anonymous_users_another_user_and_admins_as_it_declares()
    {
        var api = new PurchaseApi(() => host.CreateClient(cookies: false), AdminEmail, AdminPassword);
        var admin = await api.AdminTokenAsync();
        var (eventId, tiers) = await api.OnSaleEventAsync([20]);
        var owner = await api.SignUpAsync("owner");
        var other = await api.SignUpAsync("other");
        var paidHold = (await api.HoldAsync(owner, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var order = (await api.CheckoutAsync(owner, paidHold)).EnsureStatus(HttpStatusCode.Created).Get("id");
        var ticket = (await api.SendAsync(HttpMethod.Get, "/api/v1/me/tickets", owner.Token)).Body.EnumerateArray()
            .Single(t => t.GetProperty("orderId").GetString() == order).GetProperty("id").GetString()!;
        var openHold = (await api.HoldAsync(owner, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        // Offered to a third address: only its account could accept it, the other user sees a 404.
        var transfer = (await api.SendAsync(HttpMethod.Post, $"/api/v1/tickets/{ticket}/transfer", owner.Token, new { toEmail = "third@example.com" },
            Guid.NewGuid().ToString("N"))).EnsureStatus(HttpStatusCode.Accepted).Get("transferId");
        // The owner's things in the route; "x" where nothing real is needed (a refusal must come before any lookup).
        var owned = new Dictionary<string, string> { ["holdId"] = openHold, ["orderId"] = order, ["ticketId"] = ticket, ["transferId"] = transfer, ["eventId"] = eventId };
        string Fill(string pattern, bool real) => System.Text.RegularExpressions.Regex.Replace(pattern, @"\{\*?(\w+)(?<constraint>[^}]*)\}",
            m => real && owned.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Groups["constraint"].Value.Contains(":int") ? "1" : "x");

        // Admin endpoints turned off for everyone, admins included, each with its reason.
        var off = new Dictionary<string, string>
        {
            ["/dashboard/Trace"] = "the dashboard's live log stream (Dashboard:HideTrace, on by default)",
        };
        // Calls that end every session of their caller: made by a user of their own, so the others' tokens keep working.
        var endsSessions = new HashSet<string> { "/api/v1/auth/logout-all" };
        var routes = Routes();
        Assert.Contains(routes, r => r.Pattern == "/api/v1/holds/{holdId}");
        Assert.Contains(routes, r => r.Pattern == "/api/v1/transfers/{transferId}/accept");
        var wrong = new List<string>();
        foreach (var route in routes)
        {
            var safe = route.Method is "GET" or "HEAD";
            var ownsSomething = owned.Keys.Where(k => k != "eventId").Any(k => route.Pattern.Contains("{" + k, StringComparison.Ordinal));
            async Task Expect(string who, string? token, bool real, Func<HttpStatusCode, bool> ok, string expected)
            {
                var path = Fill(route.Pattern, real);
                var status = await CallAsync(route.Method, path, token);
                if (!ok(status)) wrong.Add($"{route.Method} {path} as {who}: {(int)status} {status}, expected {expected}");
            }
            static bool Refused(HttpStatusCode s) => s is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

            switch (route.Access)
            {
                case Access.Anonymous:
                    await Expect("anonymous", null, real: safe, s => !Refused(s), "not 401/403");
                    break;
                case Access.User:
                    await Expect("anonymous", null, real: true, s => s == HttpStatusCode.Unauthorized, "401");
                    // Another user with the owner's hold, order or ticket in the route: never served, never changed.
                    var caller = endsSessions.Contains(route.Pattern) ? (await api.SignUpAsync("leaver")).Token : other.Token;
                    await Expect("another user", caller, real: true, s => ownsSomething ? (int)s >= 400 : !Refused(s),
                        ownsSomething ? "a refusal (the owner's things)" : "not 401/403");
                    if (safe) await Expect("the owner", owner.Token, real: true, s => !Refused(s) && (!ownsSomething || (int)s < 300), ownsSomething ? "2xx" : "not 401/403");
                    break;
                case Access.Admin:
                    await Expect("anonymous", null, real: true, s => s == HttpStatusCode.Unauthorized, "401");
                    await Expect("a user", other.Token, real: true, s => s == HttpStatusCode.Forbidden, "403");
                    // Unsafe admin calls go to "x": allowed through, but nothing real (an event) is changed.
                    if (off.ContainsKey(route.Pattern)) await Expect("an admin", admin, real: safe, s => s == HttpStatusCode.Forbidden, "403 (turned off)");
                    else await Expect("an admin", admin, real: safe, s => !Refused(s), "not 401/403");
                    break;
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {routes.Count} endpoints answered the wrong caller:\n" + string.Join("\n", wrong));

        // Nothing another user called changed the owner's things.
        var after = await api.SendAsync(HttpMethod.Get, $"/api/v1/orders/{order}", owner.Token);
        Assert.Equal("paid", after.Get("state"));
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, $"/api/v1/holds/{openHold}", owner.Token)).Status);
        var sent = (await api.SendAsync(HttpMethod.Get, "/api/v1/me/transfers", owner.Token)).Body.GetProperty("sent");
        Assert.Equal("offered", sent.EnumerateArray().Single(t => t.GetProperty("transferId").GetString() == transfer).GetProperty("state").GetString());
    }

    private async Task<HttpStatusCode> CallAsync(string method, string path, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method is "GET" or "HEAD" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString("N") } },
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.CreateClient(cookies: false).SendAsync(request);
        return response.StatusCode;
    }
}
