using System.Reflection;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>
/// Counts the mutating calls (by their [AwsAction(Mutating = true)]) across all ports of one
/// engine; the call numbered <see cref="FailAt"/> fails, and so do the repeats of that action until
/// the step gives up (<see cref="Repeats"/>), after which everything succeeds again, so the rollback runs.
/// </summary>
internal sealed class FaultSchedule(int failAt, int repeats)
{
    public int FailAt { get; } = failAt;
    public int Repeats { get; } = repeats;
    public int Calls { get; private set; }
    public string? FailedAction { get; private set; }
    private int _left;

    public bool ShouldFail(string action)
    {
        Calls++;
        if (Calls == FailAt)
        {
            FailedAction = action;
            _left = Repeats - 1;
            return true;
        }
        if (_left > 0 && action == FailedAction)
        {
            _left--;
            return true;
        }
        return false;
    }
}

/// <summary>A port whose mutating calls go through a <see cref="FaultSchedule"/> (a DispatchProxy, so every port and method is covered).</summary>
public class FaultyPort<T> : DispatchProxy where T : class
{
    private T _inner = null!;
    private FaultSchedule _schedule = null!;

    internal static T Wrap(T inner, FaultSchedule schedule)
    {
        var proxy = Create<T, FaultyPort<T>>();
        var port = (FaultyPort<T>)(object)proxy;
        port._inner = inner;
        port._schedule = schedule;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        var mutating = method.GetCustomAttributes<AwsActionAttribute>().FirstOrDefault(a => a.Mutating);
        var dryRun = method.GetParameters().Select((p, i) => (p, i)).Any(x => x.p.Name == "dryRun" && args![x.i] is true);
        if (mutating is not null && !dryRun && _schedule.ShouldFail(mutating.Action))
        {
            var error = new AwsCallException(mutating.Action, "InternalError", "injected fault");
            return method.ReturnType.IsGenericType
                ? typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod).MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]).Invoke(null, [error])
                : Task.FromException(error);
        }
        return method.Invoke(_inner, args);
    }
}
