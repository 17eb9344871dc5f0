using System.Reflection;

namespace TicketFlow.Runtime.Invocation;

/// <summary>One method of a grain interface, with what the scheduler and the transport need to know about it.</summary>
public sealed class GrainMethod
{
    private static readonly MethodInfo CastResultMethod = typeof(GrainMethod).GetMethod(nameof(CastResult), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ReadResultMethod = typeof(GrainMethod).GetMethod(nameof(ReadResult), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Func<Task<object?>, Task> toTypedTask;
    private readonly Func<Task, object?> readResult;

    public GrainMethod(Type grainInterface, MethodInfo method)
    {
        Interface = grainInterface;
        Method = method;
        Name = method.Name;
        FullName = $"{grainInterface.Name}.{method.Name}";
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        IsReadOnly = method.IsDefined(typeof(ReadOnlyAttribute));
        IsAlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute));
        IsGroupCommit = method.IsDefined(typeof(GroupCommitAttribute));

        if (method.ReturnType == typeof(Task))
        {
            ResultType = null;
            toTypedTask = static t => t;
            readResult = static _ => null;
        }
        else if (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            ResultType = method.ReturnType.GetGenericArguments()[0];
            toTypedTask = CastResultMethod.MakeGenericMethod(ResultType).CreateDelegate<Func<Task<object?>, Task>>();
            readResult = ReadResultMethod.MakeGenericMethod(ResultType).CreateDelegate<Func<Task, object?>>();
        }
        else
        {
            throw new InvalidOperationException($"Grain method {FullName} must return Task or Task<T>.");
        }
    }

    public Type Interface { get; }
    public MethodInfo Method { get; }
    public string Name { get; }
    public string FullName { get; }
    public Type[] ParameterTypes { get; }
    public Type? ResultType { get; }
    public bool IsReadOnly { get; }
    public bool IsAlwaysInterleave { get; }
    public bool IsGroupCommit { get; }

    /// <summary>Runs the method on a grain instance and returns its result boxed.</summary>
    public async Task<object?> InvokeAsync(object grain, object?[] arguments)
    {
        var task = (Task)Method.Invoke(grain, BindingFlags.DoNotWrapExceptions, null, arguments, null)!;
        await task;
        return readResult(task);
    }

    /// <summary>Turns the untyped result of a call into the Task type the interface method declares.</summary>
    public Task ToDeclaredTask(Task<object?> result) => toTypedTask(result);

    private static async Task<T> CastResult<T>(Task<object?> task) => (T)(await task)!;

    private static object? ReadResult<T>(Task task) => ((Task<T>)task).Result;
}
