using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using EnaRemediate.Core;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// Which [AwsAction]s a handler's code can reach, read from the IL of the product assemblies: from
/// the handler's <c>HandleAsync</c>, every call, constructor, delegate target and async/iterator
/// state machine in our assemblies is followed, and a call to an interface or virtual method of our
/// code reaches every implementation of it in our code. So a new port method with [AwsAction]
/// lands in the role of each function whose code calls it, with no list to keep by hand.
/// Over-approximates (any branch counts), never under-approximates within our assemblies.
/// </summary>
public sealed class AwsCallGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly IReadOnlySet<Assembly> _ours;
    private readonly IReadOnlyList<Type> _ourTypes;

    public AwsCallGraph(IEnumerable<Assembly> ourAssemblies)
    {
        _ours = ourAssemblies.ToHashSet();
        _ourTypes = _ours.SelectMany(a => a.GetTypes()).ToList();
    }

    /// <summary>Each reached method that carries [AwsAction], with its actions.</summary>
    public IReadOnlyDictionary<MethodBase, IReadOnlyList<AwsActionAttribute>> Reach(MethodBase root, Func<MethodBase, bool>? stopAt = null)
    {
        var seen = new HashSet<MethodBase>();
        var found = new Dictionary<MethodBase, IReadOnlyList<AwsActionAttribute>>();
        var pending = new Stack<MethodBase>([root]);
        while (pending.TryPop(out var method))
        {
            method = Definition(method);
            if (!seen.Add(method) || stopAt?.Invoke(method) == true) continue;
            var actions = method.GetCustomAttributes<AwsActionAttribute>()
                .Concat(method.DeclaringType?.GetCustomAttributes<AwsActionAttribute>() ?? []).ToList();
            if (actions.Count > 0) found[method] = actions;
            foreach (var next in Successors(method)) pending.Push(next);
        }
        return found;
    }

    private IEnumerable<MethodBase> Successors(MethodBase method)
    {
        if (method.GetCustomAttribute<StateMachineAttribute>() is { } machine
            && machine.StateMachineType.GetMethod(nameof(IAsyncStateMachine.MoveNext), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } moveNext)
            yield return moveNext;
        foreach (var called in CalledMethods(method))
        {
            if (!IsOurs(called)) continue;
            yield return called;
            foreach (var implementation in Implementations(called)) yield return implementation;
        }
    }

    private bool IsOurs(MethodBase method) => method.DeclaringType is { } t && _ours.Contains(t.Assembly);

    /// <summary>The methods in our code an interface or virtual call to <paramref name="method"/> may land in.</summary>
    private IEnumerable<MethodBase> Implementations(MethodBase method)
    {
        if (method is not MethodInfo { IsVirtual: true } virtualMethod || method.DeclaringType is not { } declaring) yield break;
        foreach (var type in _ourTypes.Where(t => !t.IsInterface && !t.IsAbstract && t != declaring))
        {
            if (declaring.IsInterface)
            {
                var open = declaring.IsGenericType ? declaring.GetGenericTypeDefinition() : declaring;
                foreach (var iface in type.GetInterfaces().Where(i => (i.IsGenericType ? i.GetGenericTypeDefinition() : i) == open))
                {
                    var map = type.GetInterfaceMap(iface);
                    for (var i = 0; i < map.InterfaceMethods.Length; i++)
                        if (map.InterfaceMethods[i].Name == method.Name && map.TargetMethods[i].DeclaringType == type) yield return map.TargetMethods[i];
                }
            }
            else if (declaring.IsAssignableFrom(type))
            {
                foreach (var candidate in type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (candidate.GetBaseDefinition() == virtualMethod.GetBaseDefinition()) yield return candidate;
            }
        }
    }

    /// <summary>Every method token in the body: call, callvirt, newobj, ldftn, ldvirtftn.</summary>
    private static IEnumerable<MethodBase> CalledMethods(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method is MethodInfo { IsGenericMethod: true } m ? m.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE) value = (short)(0xFE00 | il[position++]);
            var opCode = OpCodesByValue[value];
            if (opCode.OperandType == OperandType.InlineMethod)
            {
                var token = BitConverter.ToInt32(il, position);
                yield return method.Module.ResolveMethod(token, typeArgs, methodArgs)
                    ?? throw new InvalidOperationException($"Token {token:X8} in {method.DeclaringType}.{method.Name} resolves to nothing.");
            }
            position += OperandSize(opCode, il, position);
        }
    }

    private static int OperandSize(OpCode opCode, byte[] il, int position) => opCode.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
        _ => 4,
    };

    /// <summary>A method of a constructed generic type or a generic method instance, as its definition (where the body is).</summary>
    private static MethodBase Definition(MethodBase method)
    {
        if (method is MethodInfo { IsGenericMethod: true, IsGenericMethodDefinition: false } generic) method = generic.GetGenericMethodDefinition();
        if (method.DeclaringType is { IsGenericType: true, IsGenericTypeDefinition: false } constructed)
            method = MethodBase.GetMethodFromHandle(method.MethodHandle, constructed.GetGenericTypeDefinition().TypeHandle) ?? method;
        return method;
    }
}
