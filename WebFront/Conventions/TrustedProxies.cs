using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace TicketFlow.WebFront.Conventions;

/// <summary>
/// Which proxies may tell WebFront who the client is (configuration section <c>ForwardedHeaders</c>). Behind nginx every
/// connection comes from the proxy, so without this the per-IP rate limits would count all clients as one.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>Proxy addresses whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed. With <see cref="KnownNetworks"/> also empty: loopback only (ASP.NET Core's default).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Trusted proxy networks in CIDR notation (<c>10.0.0.0/8</c>); setting either list replaces the loopback default.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>
    /// How many <c>X-Forwarded-For</c> entries are read, from the right, each only while the hop that added it is trusted.
    /// 1: the entry the trusted proxy appended (the address that connected to it), so no client picks its own address by
    /// sending entries of its own, not even one on the proxy's machine or network. 2 believes one more hop when the
    /// client is itself a trusted address: only deploy/AppHost's local cluster sets it, so that the load tool on
    /// loopback can name a simulated buyer per request (load-test configuration, deploy/README.md).
    /// </summary>
    public int ForwardLimit { get; set; } = 1;
}

public static class TrustedProxies
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Options for <c>UseForwardedHeaders</c>: client address and scheme from trusted proxies only.</summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var trusted = configuration.GetSection(Section).Get<TrustedProxyOptions>() ?? new TrustedProxyOptions();
        if (trusted.ForwardLimit < 1) throw new InvalidOperationException($"{Section}:ForwardLimit must be at least 1.");
        var proxies = trusted.KnownProxies.Select(value => IPAddress.TryParse(value.Trim(), out var address) ? address : throw Invalid("KnownProxies", value)).ToList();
        var networks = trusted.KnownNetworks.Select(value => System.Net.IPNetwork.TryParse(value.Trim(), out var network) ? network : throw Invalid("KnownNetworks", value)).ToList();
        return services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = trusted.ForwardLimit;
            if (proxies.Count == 0 && networks.Count == 0) return; // keep the loopback defaults
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
            foreach (var network in networks) options.KnownIPNetworks.Add(network);
        });
    }

    private static InvalidOperationException Invalid(string setting, string value) => new($"{Section}:{setting} has an invalid entry '{value}'.");
}
