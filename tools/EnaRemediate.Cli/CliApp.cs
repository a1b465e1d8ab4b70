using System.CommandLine;
using EnaRemediate.Cli.Commands;

namespace EnaRemediate.Cli;

/// <summary>Builds the `enaremediate` command tree and maps parse failures to the usage exit code.</summary>
public static class CliApp
{
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
        return await parse.InvokeAsync();
    }
}
