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
        // ProcessTerminationTimeout = null: the commands stop themselves (and save) on the token, never a forced exit.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Stopping);
    }
}
