using System.Reflection;

namespace TicketFlow.Grains;

/// <summary>The assemblies silos load grain classes from and clients read grain interfaces from.</summary>
public static class GrainAssemblies
{
    public static readonly IReadOnlyList<Assembly> All = [typeof(GrainAssemblies).Assembly];
}
