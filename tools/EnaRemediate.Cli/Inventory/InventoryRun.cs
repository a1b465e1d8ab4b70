using EnaRemediate.Aws.Engine;
using EnaRemediate.Aws.Inventory;
using EnaRemediate.Core.Engine;
using EnaRemediate.Cli.Records;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Cli.Inventory;

internal sealed record InventoryRunOptions
{
    public required string Format { get; init; }
    public required string OptInTagKey { get; init; }
    public string? DriverSha256 { get; init; }
    public string? DriverSource { get; init; }
    public string? DriverVersion { get; init; }
    public required StoreLocation Store { get; init; }
    public string? Region { get; init; }
    /// <summary>Where SSM writes the commands' full outputs (--output-bucket); null: none.</summary>
    public CommandOutputBucket? Output { get; init; }
}

/// <summary>One `inventory` run: collect and judge, and with --fix plan, show, install, collect again.</summary>
internal sealed class InventoryRun
{
    private readonly FleetInventory _inventory;
    private readonly CollectNow _collect;
    private readonly ReadinessFixer _fixer;
    private readonly InventoryRunOptions _options;
    private readonly StderrProgress _progress = new();

    public InventoryRun(AwsConnection connection, InventoryRunOptions options)
    {
        _options = options;
        var (ec2, ssm) = EngineFactory.CreateClients(connection);
        var ssmPort = new SsmAdapter(ssm);
        // With a bucket, outputs SSM cuts at 24,000 characters are read in full from S3.
        var output = options.Output is { } bucket ? new CommandOutputReader(new S3CommandOutput(ssm, S3CommandOutput.CreateClient(connection)), bucket) : null;
        var settings = new InventorySettings { OptInTagKey = options.OptInTagKey, Output = output };
        _inventory = new FleetInventory(new FleetAdapter(ec2, ssm), new Ec2Adapter(ec2), ssmPort, settings);
        _collect = new CollectNow(ssmPort, TimeProvider.System, settings);
        var engine = new EngineOptions { OptInTagKey = options.OptInTagKey };
        _fixer = new ReadinessFixer(ssmPort, TimeProvider.System,
            // As remediate: the pinned release by default; another version must bring its own digest.
            engine.WithDriver(options.DriverSha256, options.DriverSource, options.DriverVersion)) { Output = output };
    }

    public async Task<int> ReportAsync(IReadOnlyList<TagFilter> tags, CancellationToken cancellationToken)
    {
        var report = await CollectAsync(await FindAsync(tags, cancellationToken), cancellationToken);
        InventoryOutput.Write(Console.Out, _options.Format, report, fix: null);
        return ExitCode(report);
    }

    public async Task<int> FixAsync(IReadOnlyList<TagFilter> tags, bool dryRun, bool yes, CancellationToken cancellationToken)
    {
        var instances = await FindAsync(tags, cancellationToken);
        var before = await CollectAsync(instances, cancellationToken);
        var plan = await _fixer.PlanAsync(before, _options.Store.Open(_options.Region, Console.Error), cancellationToken);
        var fix = new FixOutput(plan, dryRun, null);
        if (plan.Problem is not null)
        {
            throw new ArgumentException($"--fix cannot run: {plan.Problem}; nothing was sent");
        }
        // The dry run comes first, always: what would be installed where, before anything is sent.
        InventoryOutput.WritePlan(Console.Error, plan);
        if (dryRun || plan.Targets.Count == 0)
        {
            InventoryOutput.Write(Console.Out, _options.Format, before, fix);
            return ExitCode(before);
        }
        if (!yes && !Confirm())
        {
            return ExitCodes.Usage;
        }
        var outcomes = await _fixer.ApplyAsync(plan, _progress, cancellationToken);
        Console.Error.WriteLine("collecting again");
        var after = await CollectAsync(instances, cancellationToken);
        InventoryOutput.Write(Console.Out, _options.Format, after, fix with { Outcomes = outcomes });
        return ExitCode(after);
    }

    private async Task<IReadOnlyList<Core.Engine.Ports.Ec2Instance>> FindAsync(IReadOnlyList<TagFilter> tags, CancellationToken cancellationToken)
    {
        var instances = await _inventory.FindAsync(tags, cancellationToken);
        Console.Error.WriteLine($"{instances.Count} instance(s) found; collecting host reports from the managed running ones");
        return instances;
    }

    private async Task<InventoryReport> CollectAsync(IReadOnlyList<Core.Engine.Ports.Ec2Instance> instances, CancellationToken cancellationToken)
    {
        var facts = await _inventory.ObserveAsync(instances, cancellationToken);
        return FleetInventory.Judge(facts, await _collect.CollectAsync(FleetInventory.Reachable(facts), _progress, cancellationToken));
    }

    private static bool Confirm()
    {
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine("enaremediate: --fix installs the driver on these instances; pass --yes to confirm (or --dry-run to only see the plan).");
            return false;
        }
        Console.Error.Write("Install? [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    private static int ExitCode(InventoryReport report) =>
        report.With(ReadinessVerdict.BrokenNow).Any() ? ExitCodes.Failure
        : report.With(ReadinessVerdict.AtRiskNextReboot).Any() ? ExitCodes.Attention
        : ExitCodes.Ok;
}
