using System.Diagnostics;
using System.Text;

namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>
/// A built program started as a background job of a non-interactive shell (`sh -c 'prog &amp; wait'`),
/// so it inherits an ignored SIGINT exactly as an operator's `prog &amp;` does, and can be signalled
/// with the real `kill`. Output is collected as it comes, so a test can wait for a line.
/// </summary>
internal sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _shell;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningProcess(Process shell)
    {
        _shell = shell;
        shell.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            if (!_pid.Task.IsCompleted && e.Data.StartsWith("pid=", StringComparison.Ordinal))
            {
                _pid.TrySetResult(int.Parse(e.Data[4..], System.Globalization.CultureInfo.InvariantCulture));
                return;
            }
            lock (_stdout) { _stdout.AppendLine(e.Data); }
        };
        shell.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr) { _stderr.AppendLine(e.Data); }
            }
        };
    }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>Starts `dotnet DLL ARGS...` in the background of `sh`; the shell's exit code is the program's (`wait $!`).</summary>
    public static async Task<RunningProcess> StartAsync(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        // Arguments reach the program as "$@": never through the shell's parser.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("dotnet \"$@\" < /dev/null & echo \"pid=$!\"; wait $!");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Engine.CliProcess.SetEnvironment(start, environment);
        var shell = Process.Start(start)!;
        var running = new RunningProcess(shell);
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
        await running._pid.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return running;
    }

    /// <summary>The program's own pid (not the shell's).</summary>
    public int Pid => _pid.Task.Result;

    public async Task WaitForOutputAsync(Func<string, bool> seen, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!seen(Stdout + Stderr))
        {
            if (_shell.HasExited)
            {
                throw new InvalidOperationException($"the program exited before the expected output.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
            await Task.Delay(100, cts.Token);
        }
    }

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the program to end and returns its exit code; a program that does not end in time is killed and fails the test.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _shell.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await SignalAsync("KILL");
            throw new TimeoutException($"the program did not exit within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        _shell.WaitForExit();
        return _shell.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_shell.HasExited)
        {
            await SignalAsync("KILL");
            await _shell.WaitForExitAsync();
        }
        _shell.Dispose();
    }
}
