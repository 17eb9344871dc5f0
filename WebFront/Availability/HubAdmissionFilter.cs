using Microsoft.AspNetCore.SignalR;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Counts each hub connection from OnConnected to OnDisconnected (SignalR calls the second for every first that
/// succeeded, however the connection ends). Refusing here is the backstop for a burst that negotiated together while
/// one slot was left: the transport is already open, so the client sees a close with an error instead of a 503.
/// </summary>
public sealed class HubAdmissionFilter(HubAdmission admission) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var client = context.Context.GetHttpContext()?.Connection.RemoteIpAddress;
        if (!admission.TryAdmit(client)) throw new HubException("This server has no room for another live connection; poll /availability instead.");
        try
        {
            await next(context);
        }
        catch
        {
            admission.Release(client); // OnDisconnected will not come for a connection whose OnConnected failed
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            admission.Release(context.Context.GetHttpContext()?.Connection.RemoteIpAddress);
        }
    }
}
