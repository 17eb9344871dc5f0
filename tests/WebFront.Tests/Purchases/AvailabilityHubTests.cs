using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>The SignalR hub, spoken in its JSON protocol over a raw WebSocket (the .NET SignalR client does not restore here).</summary>
public sealed class AvailabilityHubTests : IAsyncLifetime
{
    private const char RecordSeparator = '\u001e';
    private WebFrontHost host = null!;
    private PurchaseApi api = null!;

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "hub@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
            ("RateLimits:Auth:PermitLimit", "1000"), ("RateLimits:Register:PerIpPermitLimit", "1000"));
        api = new PurchaseApi(() => host.CreateClient(cookies: false), "hub@ticketflow.test", "admin-password-1");
        await api.AdminTokenAsync();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_subscriber_gets_the_counts_now_and_a_push_when_seats_are_held()
    {
        var (eventId, tiers) = await api.OnSaleEventAsync([50]);
        var buyer = await api.SignUpAsync();
        var socket = await host.Factory.Server.CreateWebSocketClient().ConnectAsync(new Uri(host.Factory.Server.BaseAddress, "hubs/availability"), CancellationToken.None);
        await SendAsync(socket, """{"protocol":"json","version":1}""");
        Assert.Equal("{}", (await ReceiveAsync(socket)).GetRawText());

        await SendAsync(socket, $$"""{"type":1,"invocationId":"1","target":"Subscribe","arguments":["{{eventId}}"]}""");
        var subscribed = await ReceiveAsync(socket, m => m.GetProperty("type").GetInt32() == 3);
        Assert.Equal(50, subscribed.GetProperty("result").GetProperty("tiers")[0].GetProperty("available").GetInt32());

        (await api.HoldAsync(buyer, eventId, [(tiers[0], 4)])).EnsureStatus(HttpStatusCode.Created);

        // Earlier pushes (the counts read when subscribing) may arrive first; the hold's push must follow.
        var pushed = await ReceiveAsync(socket, m => m.GetProperty("type").GetInt32() == 1 && m.GetProperty("target").GetString() == "availability"
            && m.GetProperty("arguments")[0].GetProperty("tiers")[0].GetProperty("held").GetInt32() > 0);
        var tier = pushed.GetProperty("arguments")[0].GetProperty("tiers")[0];
        Assert.Equal((46, 4, 0), (tier.GetProperty("available").GetInt32(), tier.GetProperty("held").GetInt32(), tier.GetProperty("sold").GetInt32()));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(WebSocket socket, Func<JsonElement, bool>? wanted = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        while (true)
        {
            var text = pending.ToString();
            var end = text.IndexOf(RecordSeparator);
            if (end >= 0)
            {
                pending.Remove(0, end + 1);
                var message = JsonDocument.Parse(text[..end]).RootElement.Clone();
                if (wanted is null || (message.TryGetProperty("type", out _) && wanted(message))) return message;
                continue;
            }
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            pending.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
    }
}
