using System.CommandLine;
using System.Reflection;

namespace EnaRemediate.Cli.Commands;

/// <summary>`enaremediate version`: the tool's version, for bug reports.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the EnaRemediate version.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"enaremediate {version}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
