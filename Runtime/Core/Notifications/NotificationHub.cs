using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;

namespace TicketFlow.Runtime.Notifications;

/// <summary>A message a grain pushed to clients.</summary>
public sealed record GrainNotification(string Topic, JsonElement Payload)
{
    public T? Read<T>(JsonSerializerOptions? options = null) => Payload.Deserialize<T>(options ?? JsonSerializerOptions.Web);
}

/// <summary>Push from grains to clients: best effort, newest wins when a subscriber falls behind; resubscribe after reconnects.</summary>
public interface IClusterNotifications
{
    /// <summary>Calls <paramref name="handler"/> for every notification whose topic starts with <paramref name="topicPrefix"/>.</summary>
    IDisposable Subscribe(string topicPrefix, Action<GrainNotification> handler);
}

/// <summary>A silo's side of the push path: fans notifications out to in-process subscribers and to client streams.</summary>
public sealed class NotificationHub(JsonSerializerOptions json) : IClusterNotifications
{
    private const int StreamBuffer = 4096;
    private readonly ConcurrentDictionary<object, Action<GrainNotification>> handlers = new();
    private readonly ConcurrentDictionary<Channel<GrainNotification>, byte> streams = new();

    public void Publish(string topic, object payload) =>
        Publish(new GrainNotification(topic, JsonSerializer.SerializeToElement(payload, payload.GetType(), json)));

    public void Publish(GrainNotification notification)
    {
        foreach (var handler in handlers.Values)
            // Off the grain's turn: a slow or async handler must never run on the activation's scheduler.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.handler(s.notification), (handler, notification), preferLocal: false);
        foreach (var stream in streams.Keys) stream.Writer.TryWrite(notification);
    }

    public IDisposable Subscribe(string topicPrefix, Action<GrainNotification> handler)
    {
        var key = new object();
        handlers[key] = n =>
        {
            if (!n.Topic.StartsWith(topicPrefix, StringComparison.Ordinal)) return;
            try { handler(n); } catch { /* a subscriber's failure is its own */ }
        };
        return new Subscription(() => handlers.TryRemove(key, out _));
    }

    /// <summary>A stream for one remote client; dispose it when the client goes away.</summary>
    public ChannelReader<GrainNotification> OpenStream(out IDisposable registration)
    {
        var channel = Channel.CreateBounded<GrainNotification>(new BoundedChannelOptions(StreamBuffer) { FullMode = BoundedChannelFullMode.DropOldest });
        streams[channel] = 0;
        registration = new Subscription(() =>
        {
            streams.TryRemove(channel, out _);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void CloseStreams()
    {
        foreach (var stream in streams.Keys) stream.Writer.TryComplete();
        streams.Clear();
    }

    internal sealed class Subscription(Action dispose) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) dispose();
        }
    }
}
