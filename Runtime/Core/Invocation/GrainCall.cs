namespace TicketFlow.Runtime.Invocation;

/// <summary>A request to run one method of one grain.</summary>
public sealed record GrainCall(GrainId Target, GrainMethod Method, object?[] Arguments)
{
    public override string ToString() => $"{Target}.{Method.Name}";
}

/// <summary>Delivers grain calls somewhere: a local catalog, a remote silo, or a router choosing between them.</summary>
public interface IGrainCallInvoker
{
    Task<object?> InvokeAsync(GrainCall call, int hops, CancellationToken cancellationToken);
}
