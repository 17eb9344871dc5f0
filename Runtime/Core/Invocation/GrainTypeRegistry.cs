using System.Collections.Concurrent;
using System.Reflection;

namespace TicketFlow.Runtime.Invocation;

/// <summary>Which class implements each grain interface, the grain type names, and each interface's methods.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, Type> classByInterface = [];
    private readonly Dictionary<string, Type> classByTypeName = [];
    private readonly Dictionary<Type, string> typeNameByClass = [];
    private readonly Dictionary<string, Type> interfaceByName = [];
    private readonly ConcurrentDictionary<(Type, string), GrainMethod> methods = new();

    public GrainTypeRegistry(IEnumerable<Assembly> grainAssemblies)
    {
        foreach (var type in grainAssemblies.Distinct().SelectMany(a => a.GetTypes()))
        {
            if (type.IsAbstract || !type.IsClass || !typeof(Grain).IsAssignableFrom(type)) continue;
            var typeName = type.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? type.Name;
            if (!classByTypeName.TryAdd(typeName, type))
                throw new InvalidOperationException($"Two grain classes use the type name '{typeName}': {classByTypeName[typeName]} and {type}.");
            typeNameByClass[type] = typeName;
            foreach (var grainInterface in type.GetInterfaces().Where(IsGrainInterface))
            {
                if (!classByInterface.TryAdd(grainInterface, type))
                    throw new InvalidOperationException($"Grain interface {grainInterface} has two implementations: {classByInterface[grainInterface]} and {type}.");
                interfaceByName[grainInterface.FullName!] = grainInterface;
                ValidateNoOverloads(grainInterface);
                foreach (var method in MethodsOf(grainInterface))
                    methods[(grainInterface, method.Name)] = new GrainMethod(grainInterface, method);
            }
            if (typeof(IRemindable).IsAssignableFrom(type)) interfaceByName[typeof(IRemindable).FullName!] = typeof(IRemindable);
            ValidateGroupCommit(type);
        }
        foreach (var method in typeof(IRemindable).GetMethods())
            methods[(typeof(IRemindable), method.Name)] = new GrainMethod(typeof(IRemindable), method);
    }

    public IEnumerable<string> GrainTypeNames => classByTypeName.Keys;

    public static bool IsGrainInterface(Type type) =>
        type.IsInterface && type != typeof(IGrainWithStringKey) && typeof(IGrainWithStringKey).IsAssignableFrom(type);

    public string GrainTypeOf(Type grainInterface) =>
        classByInterface.TryGetValue(grainInterface, out var grainClass)
            ? typeNameByClass[grainClass]
            : throw new InvalidOperationException($"No grain class implements {grainInterface}. Is its assembly registered with the silo and the client?");

    public Type ClassOf(string grainType) =>
        classByTypeName.TryGetValue(grainType, out var grainClass)
            ? grainClass
            : throw new InvalidOperationException($"Unknown grain type '{grainType}'.");

    public Type InterfaceByName(string name) =>
        interfaceByName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Unknown grain interface '{name}'.");

    /// <summary>A method of the interface a reference was made for (declared there or on an interface it extends).</summary>
    public GrainMethod Method(Type grainInterface, string name) =>
        methods.GetOrAdd((grainInterface, name), static key =>
        {
            var info = MethodsOf(key.Item1).FirstOrDefault(m => m.Name == key.Item2)
                ?? throw new InvalidOperationException($"{key.Item1.Name} has no method {key.Item2}.");
            return new GrainMethod(key.Item1, info);
        });

    // Interface.GetMethods() leaves out the methods of the interfaces it extends.
    private static IEnumerable<MethodInfo> MethodsOf(Type grainInterface) =>
        grainInterface.GetInterfaces().Prepend(grainInterface).SelectMany(i => i.GetMethods());

    private void ValidateGroupCommit(Type grainClass)
    {
        if (!methods.Values.Any(m => m.IsGroupCommit && m.Interface.IsAssignableFrom(grainClass))) return;
        if (grainClass.IsDefined(typeof(ReentrantAttribute)))
            throw new InvalidOperationException($"{grainClass} is [Reentrant] and has [GroupCommit] methods: group commit needs non-reentrant turns.");
        var states = grainClass.GetConstructors().Max(c => c.GetParameters().Count(p => p.IsDefined(typeof(PersistentStateAttribute))));
        if (states > 1)
            throw new InvalidOperationException($"{grainClass} has [GroupCommit] methods and {states} persistent states: a batch must be stored by one atomic write.");
    }

    private static void ValidateNoOverloads(Type grainInterface)
    {
        var overloaded = MethodsOf(grainInterface).GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (overloaded is not null)
            throw new InvalidOperationException($"Grain interface {grainInterface.Name} overloads {overloaded.Key}: grain methods are addressed by name.");
    }
}
