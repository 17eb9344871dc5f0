using System.Reflection;
using System.Text.Json;
using TicketFlow.Runtime.Invocation;

namespace TicketFlow.Runtime.Transport;

/// <summary>How a failed call is reported over the wire, and what the caller may do about it.</summary>
internal static class ErrorKind
{
    public const string Application = "app";             // grain code threw: the caller gets the exception
    public const string Retryable = "retryable";         // the call reached the grain and had no effect
    public const string NotDelivered = "not_delivered";  // no activation saw the call: the sender may resend it
    public const string Timeout = "timeout";             // outcome unknown
    public const string Unknown = "unknown";             // outcome unknown
}

/// <summary>JSON envelopes of <c>POST /tf/call</c>. Arguments and results use the interface method's declared types.</summary>
internal static class WireFormat
{
    public static byte[] WriteCall(GrainCall call, Type grainInterface, int hops, TimeSpan timeout, JsonSerializerOptions json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("interface", grainInterface.FullName);
            writer.WriteString("type", call.Target.Type);
            writer.WriteString("key", call.Target.Key);
            writer.WriteString("method", call.Method.Name);
            writer.WriteNumber("hops", hops);
            writer.WriteNumber("timeoutMs", (long)timeout.TotalMilliseconds);
            writer.WriteStartArray("args");
            for (var i = 0; i < call.Arguments.Length; i++)
                JsonSerializer.Serialize(writer, call.Arguments[i], call.Method.ParameterTypes[i], json);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static (GrainCall Call, int Hops, TimeSpan Timeout) ReadCall(JsonElement root, GrainTypeRegistry registry, JsonSerializerOptions json)
    {
        var grainInterface = registry.InterfaceByName(root.GetProperty("interface").GetString()!);
        var method = registry.Method(grainInterface, root.GetProperty("method").GetString()!);
        var target = new GrainId(root.GetProperty("type").GetString()!, root.GetProperty("key").GetString()!);
        var args = root.GetProperty("args");
        if (args.GetArrayLength() != method.ParameterTypes.Length)
            throw new ArgumentException($"{method.FullName} takes {method.ParameterTypes.Length} arguments, got {args.GetArrayLength()}.");
        var arguments = new object?[method.ParameterTypes.Length];
        var index = 0;
        foreach (var arg in args.EnumerateArray())
        {
            arguments[index] = arg.Deserialize(method.ParameterTypes[index], json);
            index++;
        }
        return (new GrainCall(target, method, arguments), root.GetProperty("hops").GetInt32(), TimeSpan.FromMilliseconds(root.GetProperty("timeoutMs").GetInt64()));
    }

    public static byte[] WriteResult(object? result, Type? resultType, JsonSerializerOptions json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", true);
            if (resultType is not null)
            {
                writer.WritePropertyName("result");
                JsonSerializer.Serialize(writer, result, resultType, json);
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static byte[] WriteError(string kind, Exception error)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", false);
            writer.WriteString("kind", kind);
            writer.WriteString("type", error is GrainException remote ? remote.OriginalType : error.GetType().FullName);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static string KindOf(Exception error) => error switch
    {
        SiloUnavailableException or NotDeliveredException => ErrorKind.NotDelivered,
        RetryableGrainException => ErrorKind.Retryable,
        GrainCallTimeoutException => ErrorKind.Timeout,
        GrainCallOutcomeUnknownException => ErrorKind.Unknown,
        _ => ErrorKind.Application,
    };

    /// <summary>Reads a response envelope: the result, or the exception the caller should see.</summary>
    public static object? ReadResponse(JsonElement root, Type? resultType, JsonSerializerOptions json, string target)
    {
        if (root.GetProperty("ok").GetBoolean())
            return resultType is null ? null : root.GetProperty("result").Deserialize(resultType, json);
        var kind = root.GetProperty("kind").GetString();
        var type = root.GetProperty("type").GetString() ?? "System.Exception";
        var message = root.GetProperty("message").GetString() ?? "";
        throw kind switch
        {
            ErrorKind.NotDelivered => new NotDeliveredException($"{target}: {message}"),
            ErrorKind.Retryable => new InconsistentStateException(message),
            ErrorKind.Timeout => new GrainCallTimeoutException(message),
            ErrorKind.Unknown => new GrainCallOutcomeUnknownException(message),
            _ => Recreate(type, message),
        };
    }

    // The grain's exception type when this process knows it and it has a (string message) constructor.
    private static Exception Recreate(string typeName, string message)
    {
        var type = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.GetConstructor([typeof(string)]) is null)
            return new GrainException(typeName, message);
        try
        {
            return (Exception)Activator.CreateInstance(type, BindingFlags.Public | BindingFlags.Instance, null, [message], null)!;
        }
        catch (Exception)
        {
            return new GrainException(typeName, message);
        }
    }
}

/// <summary>The call never reached an activation (connection refused, silo not active, views disagree): safe to resend.</summary>
internal sealed class NotDeliveredException(string message, Exception? inner = null) : Exception(message, inner);
