using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace TicketFlow.WebFront.Tests;

/// <summary>Plays the TCP layer for TestServer (which gives requests no peer address): the connection's peer address is
/// what the test puts in <see cref="Header"/>. A startup filter, so it runs before WebFront's own pipeline.</summary>
internal sealed class PeerAddressFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, following) =>
        {
            http.Connection.RemoteIpAddress = IPAddress.Parse(http.Request.Headers[Header].ToString());
            http.Request.Headers.Remove(Header);
            return following(http);
        });
        next(app);
    };
}
