using System.CommandLine;
using EnaRemediate.Cli.Commands;
using EnaRemediate.Simulator;

namespace EnaRemediate.Cli;

/// <summary>
/// Builds the `enaremediate` command tree, maps parse failures to the usage exit code, and turns
/// SIGINT/SIGTERM into the commands' cancellation token (<see cref="Signals"/>) instead of an exit.
/// </summary>
public static class CliApp
{
    /// <summary>This process's stop signals: the first cancels every command's token, a second abandons calls in flight.</summary>
    internal static StopSignals Signals { get; private set; } = null!;

    /// <summary>Set by commands that save and stop by themselves on <see cref="Signals"/> (remediate, simulate, abort, register-ami).</summary>
    private static volatile bool s_stopsByItself;

    /// <summary>
    /// The running command stops by itself on a signal: no forced exit 2 s after the first one.
    /// (Other commands, which may be blocked reading input, are ended 2 s after it, as by default.)
    /// </summary>
    internal static void CommandStopsByItself() => s_stopsByItself = true;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("EnaRemediate: recover EC2 instances that the Elastic Network Adapter took off the network.");
        // Each command lives in its own file under Commands/ and is registered here, one line each.
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(DiagnoseCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(RemediateCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(RegisterAmiCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        root.Subcommands.Add(AbortCommand.Create());
        root.Subcommands.Add(InventoryCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"enaremediate: {error.Message}");
            }
            Console.Error.WriteLine("Run 'enaremediate --help' for usage.");
            return ExitCodes.Usage;
        }
        using var signals = new StopSignals();
        Signals = signals;
        signals.Stopping.Register(() => { if (!s_stopsByItself) ExitSoon(TimeSpan.FromSeconds(2)); });
        // After a second signal the calls in flight are abandoned; whatever still hangs then is ended.
        signals.Abandoning.Register(() => ExitSoon(TimeSpan.FromSeconds(10)));
        // ProcessTerminationTimeout = null: the commands stop themselves (and save) on the token, never a forced exit.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Stopping);
    }

    private static void ExitSoon(TimeSpan after) => _ = Task.Delay(after).ContinueWith(_ =>
    {
        Console.Error.WriteLine($"enaremediate: stopped by {Signals.Received}.");
        Environment.Exit(ExitCodes.Interrupted);
    }, TaskScheduler.Default);
}
