using System.Reflection;

namespace TicketFlow.Runtime.Invocation;

/// <summary>The object behind a grain reference: turns interface calls into <see cref="GrainCall"/>s.</summary>
public class GrainProxy : DispatchProxy
{
    private GrainReferenceFactory factory = null!;
    private GrainId target;
    private Type grainInterface = null!;

    internal void Initialize(GrainReferenceFactory owner, GrainId id, Type iface)
    {
        factory = owner;
        target = id;
        grainInterface = iface;
    }

    public GrainId GrainId => target;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = factory.Registry.Method(grainInterface, targetMethod.Name);
        return method.ToDeclaredTask(factory.SendAsync(new GrainCall(target, method, args ?? [])));
    }

    public override string ToString() => $"GrainReference({target})";
}

/// <summary>Creates grain references that send through one invoker, applying the request timeout.</summary>
public sealed class GrainReferenceFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker, TimeSpan responseTimeout) : IGrainFactory
{
    internal GrainTypeRegistry Registry => registry;

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var proxy = DispatchProxy.Create<TGrain, GrainProxy>();
        ((GrainProxy)(object)proxy!).Initialize(this, new GrainId(registry.GrainTypeOf(typeof(TGrain)), key), typeof(TGrain));
        return proxy;
    }

    internal async Task<object?> SendAsync(GrainCall call)
    {
        using var timeout = new CancellationTokenSource(responseTimeout);
        try
        {
            return await invoker.InvokeAsync(call, hops: 0, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new GrainCallTimeoutException($"{call} got no response within {responseTimeout.TotalSeconds:0.###} s; its outcome is unknown.");
        }
    }
}
