using System.Buffers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace TicketFlow.Benchmarks;

/// <summary>
/// A hub client that costs the probe little: what the browser's SignalR client puts on the wire (negotiate, a WebSocket,
/// the JSON hub protocol's handshake, one <c>Subscribe</c> invocation) and then only reads. Each <c>availability</c>
/// message is handed over as its arguments' first element. Ten thousand of these on the machine under test leave the
/// WebFront the CPU that ten thousand <c>HubConnection</c>s take (docs/BENCHMARKS.md).
/// </summary>
public sealed class LeanHubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private readonly ClientWebSocket socket;
    private readonly Task receiving;
    private readonly CancellationTokenSource stop = new();

    private LeanHubClient(ClientWebSocket socket, Action<JsonElement> onAvailability)
    {
        this.socket = socket;
        receiving = ReceiveAsync(onAvailability);
    }

    /// <summary>Negotiates, connects and subscribes to <paramref name="eventId"/>; <paramref name="handler"/> makes every request's socket.</summary>
    public static async Task<LeanHubClient> ConnectAsync(Uri hub, string eventId, Func<SocketsHttpHandler> handler, Action<JsonElement> onAvailability)
    {
        using var http = new HttpClient(handler());
        using var negotiated = await http.PostAsync(new Uri(hub, hub.AbsolutePath + "/negotiate?negotiateVersion=1"), null);
        negotiated.EnsureSuccessStatusCode();
        var token = (await negotiated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws", Query = "id=" + Uri.EscapeDataString(token!) }.Uri;
        await socket.ConnectAsync(uri, new HttpMessageInvoker(handler()), CancellationToken.None);
        await SendAsync(socket, """{"protocol":"json","version":1}""");
        var buffer = new byte[1024];
        var handshake = await socket.ReceiveAsync(buffer, CancellationToken.None); // "{}\x1e", or an error
        if (handshake.Count != 3 || buffer[0] != '{' || buffer[1] != '}')
            throw new InvalidOperationException("handshake refused: " + Encoding.UTF8.GetString(buffer, 0, handshake.Count));
        var client = new LeanHubClient(socket, onAvailability);
        await SendAsync(socket, $$"""{"type":1,"invocationId":"1","target":"Subscribe","arguments":["{{eventId}}"]}""");
        return client;
    }

    private static Task SendAsync(ClientWebSocket socket, string record) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(record + (char)RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private async Task ReceiveAsync(Action<JsonElement> onAvailability)
    {
        var message = new ArrayBufferWriter<byte>(1024);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await socket.ReceiveAsync(message.GetMemory(1024), stop.Token);
                if (received.MessageType == WebSocketMessageType.Close) return;
                message.Advance(received.Count);
                if (!received.EndOfMessage) continue;
                foreach (var record in Records(message.WrittenMemory))
                {
                    using var document = JsonDocument.Parse(record);
                    var root = document.RootElement;
                    if (root.GetProperty("type").GetInt32() == 1 && root.GetProperty("target").GetString() == "availability")
                        onAvailability(root.GetProperty("arguments")[0]);
                }
                message.ResetWrittenCount();
            }
        }
        catch (Exception) when (stop.IsCancellationRequested || socket.State != WebSocketState.Open)
        {
            // closed by DisposeAsync or by the server
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Records(ReadOnlyMemory<byte> message)
    {
        while (message.Span.IndexOf(RecordSeparator) is var end and >= 0)
        {
            yield return message[..end];
            message = message[(end + 1)..];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        await receiving;
        socket.Dispose();
        stop.Dispose();
    }
}
