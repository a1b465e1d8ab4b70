namespace EnaRemediate.Simulator.World;

/// <summary>The simulated caller's IAM: every action is allowed until a test denies it (UnauthorizedOperation, AccessDeniedException).</summary>
public sealed class Permissions
{
    private readonly HashSet<string> _denied = new(StringComparer.Ordinal);
    private readonly object _sync = new();

    public void Deny(string action)
    {
        lock (_sync)
        {
            _denied.Add(action);
        }
    }

    public void Allow(string action)
    {
        lock (_sync)
        {
            _denied.Remove(action);
        }
    }

    public bool IsDenied(string action)
    {
        lock (_sync)
        {
            return _denied.Contains(action);
        }
    }
}
