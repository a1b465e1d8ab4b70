namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>The CLI's failing paths, as processes: one clear line and an exit code, never a .NET type name or a stack trace.</summary>
public sealed class OperatorErrorTextTests : MixedFleetSimulator
{
    private const string Instance = "i-0123456789abcdef0";

    public static TheoryData<string[]> FailingCommands => new()
    {
        new[] { "plan", "--instance-id", Instance, "--endpoint-url", "http://127.0.0.1:1" },
        new[] { "remediate", "--dry-run", "--instance-id", Instance, "--endpoint-url", "http://127.0.0.1:1", "--store", "{store}" },
        new[] { "plan", "--instance-id", Instance, "--region", "??" },
        new[] { "plan", "--instance-id", Instance, "--endpoint-url", "not-a-url" },
        new[] { "simulate", "--scenario", "no-such-scenario" },
        new[] { "status", "--store", "{garbage}" },
        new[] { "history", "i-0123456789abcdef0", "--store", "{garbage}" },
        new[] { "abort", "no-such-remediation", "--store", "{store}" },
        new[] { "register-ami", "--instance-id", Instance, "--endpoint-url", "http://127.0.0.1:1" },
    };

    [Theory]
    [MemberData(nameof(FailingCommands))]
    public async Task AFailingCommandSaysWhatWentWrongWithoutDotNetTypeNames(string[] args)
    {
        Directory.CreateDirectory(StateDir);
        var garbage = Path.Combine(StateDir, "garbage.db");
        await File.WriteAllTextAsync(garbage, "this is not a record database");

        var run = await CliProcess.RunAsync(args.Select(a => a.Replace("{store}", StorePath).Replace("{garbage}", garbage)));

        Assert.NotEqual(0, run.ExitCode);
        var said = run.Stdout + run.Stderr;
        Assert.Contains("enaremediate: ", run.Stderr);
        Assert.DoesNotContain("System.", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", said, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", said, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }
}
