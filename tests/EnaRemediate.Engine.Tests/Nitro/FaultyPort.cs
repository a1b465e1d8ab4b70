using System.Reflection;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>
/// Counts the mutating calls (by their [AwsAction(Mutating = true)]) across all ports of one
/// engine; the call numbered <see cref="FailAt"/> fails, and so do the repeats of that action until
/// the step gives up (<see cref="Repeats"/>), after which everything succeeds again, so the rollback runs.
/// </summary>
internal sealed class FaultSchedule(int failAt, int repeats, bool afterTheCall = false)
{
    /// <summary>The failing call is made first and only its answer is lost (a timeout after EC2 acted).</summary>
    public bool AfterTheCall { get; } = afterTheCall;
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
            if (_schedule.AfterTheCall)
            {
                return Lost((Task)method.Invoke(_inner, args)!, method, error);
            }
            return method.ReturnType.IsGenericType
                ? typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod).MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]).Invoke(null, [error])
                : Task.FromException(error);
        }
        return method.Invoke(_inner, args);
    }

    /// <summary>The call's task, awaited, then failed: what a caller sees when the answer is lost.</summary>
    private static object Lost(Task call, MethodInfo method, Exception error)
    {
        async Task Void()
        {
            await call;
            throw error;
        }
        if (!method.ReturnType.IsGenericType)
        {
            return Void();
        }
        var typed = typeof(FaultyPort<T>).GetMethod(nameof(LostTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]);
        return typed.Invoke(null, [call, error])!;
    }

    private static async Task<TResult> LostTyped<TResult>(Task call, Exception error)
    {
        await call;
        throw error;
    }
}
