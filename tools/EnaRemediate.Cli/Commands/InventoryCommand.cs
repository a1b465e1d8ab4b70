using System.CommandLine;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Cli.Inventory;
using EnaRemediate.Cli.Records;
using EnaRemediate.Core.Readiness;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate inventory [--tag KEY=VALUE]... [--fix [--dry-run] [--yes]] [--output-bucket B] [--format text|json|csv]`:
/// which instances lose their network at the next reboot (docs/inventory.md). Read-only unless
/// --fix. Exit 0 nothing at risk, 1 at-risk instances, 2 broken-now instances, 64 bad usage.
/// </summary>
public static class InventoryCommand
{
    public static Command Create()
    {
        var tags = new Option<string[]>("--tag")
        {
            Description = "Only instances with this tag (KEY=VALUE, or KEY for any value); repeat to require several.",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var region = new Option<string?>("--region") { Description = "AWS Region (default: AWS_REGION, else us-east-1)." };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "Send EC2 and SSM calls to this URL (e.g. a simulator)." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "csv");
        var fix = new Option<bool>("--fix") { Description = "Install the managed ENA driver (DKMS, every kernel) on the at-risk opted-in instances, then collect again. No stop, no reboot." };
        var dryRun = new Option<bool>("--dry-run") { Description = "With --fix: show what would be installed where, send nothing." };
        var yes = new Option<bool>("--yes") { Description = "With --fix: do not ask before installing." };
        var optInTag = new Option<string>("--opt-in-tag") { Description = "The tag whose value \"true\" lets --fix change an instance.", DefaultValueFactory = _ => TriageRules.OptInTag };
        var sha = new Option<string?>("--driver-sha256") { Description = "sha256 of the ENA source archive the install document verifies (driver/ena-driver.json)." };
        var source = new Option<string?>("--driver-source") { Description = "https:// or s3:// URL of the ENA source archive (default: the pinned upstream release)." };
        var version = new Option<string?>("--driver-version") { Description = "ENA driver version to install (default: the pinned release)." };
        var outputBucket = new Option<string?>("--output-bucket") { Description = "S3 bucket (the stack's) where SSM writes each command's full output; outputs over SSM's 24,000 characters are read from there." };
        var outputPrefix = new Option<string>("--output-prefix") { Description = "Key prefix of those outputs in --output-bucket.", DefaultValueFactory = _ => CommandOutputBucket.DefaultPrefix };
        // The same record store as remediate: --fix leaves alone an instance a remediation holds.
        var store = StoreLocation.CreateOption();

        var command = new Command("inventory", "Fleet-wide ENA readiness: which managed instances keep their network across the next reboot and kernel update.");
        foreach (var option in new Option[] { tags, region, endpoint, format, fix, dryRun, yes, optInTag, sha, source, version, outputBucket, outputPrefix, store })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            var filters = TagArguments.Parse(parse.GetValue(tags) ?? []);
            if (parse.GetResult(outputPrefix) is { Implicit: false } && string.IsNullOrEmpty(parse.GetValue(outputBucket)))
            {
                throw new ArgumentException("--output-prefix belongs to --output-bucket");
            }
            var output = CommandOutputBucket.Create(parse.GetValue(outputBucket), parse.GetValue(outputPrefix)!);
            if (!parse.GetValue(fix) && (parse.GetValue(dryRun) || parse.GetValue(yes)))
            {
                throw new ArgumentException("--dry-run and --yes belong to --fix");
            }
            var run = new InventoryRun(Connection.For(parse.GetValue(region), parse.GetValue(endpoint)), new InventoryRunOptions
            {
                Format = parse.GetValue(format)!,
                OptInTagKey = parse.GetValue(optInTag)!,
                DriverSha256 = parse.GetValue(sha),
                DriverSource = parse.GetValue(source),
                DriverVersion = parse.GetValue(version),
                Store = StoreLocation.Parse(parse.GetValue(store)),
                Region = parse.GetValue(region),
                Output = output,
            });
            return parse.GetValue(fix)
                ? await run.FixAsync(filters, parse.GetValue(dryRun), parse.GetValue(yes), ct)
                : await run.ReportAsync(filters, ct);
        }));
        return command;
    }
}
