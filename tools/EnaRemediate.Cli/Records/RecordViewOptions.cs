using System.CommandLine;

namespace EnaRemediate.Cli.Records;

/// <summary>The options `status`, `history` and `abort` share: which store, where AWS is, how to print.</summary>
internal sealed class RecordViewOptions
{
    public Option<string> Store { get; } = StoreLocation.CreateOption();
    public Option<string?> Region { get; } = new("--region") { Description = "AWS Region (default: AWS_REGION, else us-east-1)." };
    public Option<string> Format { get; } = new("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };

    public RecordViewOptions() => Format.AcceptOnlyFromAmong("text", "json");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Store, Region, Format })
        {
            command.Options.Add(option);
        }
    }

    public bool Json(ParseResult parse) => parse.GetValue(Format) == "json";

    public (StoreLocation Location, Core.Engine.IRemediationStore Store) Open(ParseResult parse)
    {
        var location = StoreLocation.Parse(parse.GetValue(Store));
        return (location, location.Open(parse.GetValue(Region), Console.Error));
    }
}
