using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Cli.Inventory;

/// <summary>Progress on stderr while SSM runs a document on many hosts: one line per change, so stdout stays the report.</summary>
internal sealed class StderrProgress : IProgress<CommandProgress>
{
    private CommandProgress? _last;

    public void Report(CommandProgress value)
    {
        if (value == _last)
        {
            return;
        }
        _last = value;
        Console.Error.WriteLine($"{value.Document}: {value.Finished}/{value.Total} instances finished");
    }
}
