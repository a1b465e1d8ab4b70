using System.Runtime.InteropServices;

namespace EnaRemediate.Simulator;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM as two cancellation tokens: the first signal asks the program to
/// stop cleanly (<see cref="Stopping"/>), a second one to give up on whatever it still waits for
/// (<see cref="Abandoning"/>). The runtime's default (exit at once) is suppressed, so cleanup runs.
/// A shell starts background jobs with SIGINT ignored, and the runtime leaves an ignored SIGINT
/// alone; the disposition is reset first so that `kill -INT` stops a background run too.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private const int SigInt = 2;
    private static readonly nint SigDefault = 0;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abandoning = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Lock _lock = new();

    public StopSignals()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            ResetSignal(SigInt, SigDefault);
        }
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Stopping => _stopping.Token;
    public CancellationToken Abandoning => _abandoning.Token;
    /// <summary>The first signal received (SIGINT or SIGTERM), null while none was.</summary>
    public string? Received { get; private set; }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_lock)
        {
            if (Received is null)
            {
                Received = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
                _stopping.Cancel();
            }
            else
            {
                _abandoning.Cancel();
            }
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stopping.Dispose();
        _abandoning.Dispose();
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint ResetSignal(int signal, nint handler);
}
