namespace TicketFlow.Runtime.Invocation;

/// <summary>Cluster-wide identity of a grain: its type name and key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
