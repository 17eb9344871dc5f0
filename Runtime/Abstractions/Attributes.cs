namespace TicketFlow.Runtime;

/// <summary>Every call on this grain may interleave with others at await points (never in parallel).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>The method does not change state: it may interleave with other read-only calls and with a group commit in flight.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>The method may interleave with any other call at await points.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>
/// Batched durable turn. The method changes state in memory only and returns; the runtime holds its reply,
/// runs the next queued group-commit calls, then writes all of the activation's persistent state once and
/// only then replies to every caller of the batch. If that write fails, every caller of the batch gets the
/// error and the activation is deactivated, so the next call reloads from storage.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GroupCommitAttribute : Attribute;

/// <summary>Stable grain type name used for placement, storage and reminders (defaults to the class name).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks a constructor parameter of type <see cref="IPersistentState{T}"/> and names its state.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName) : Attribute
{
    public string StateName { get; } = stateName;
}
