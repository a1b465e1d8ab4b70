using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>The real offline validators over our ASL and runbook, and proof they are not vacuous.</summary>
public sealed class ValidatorTests
{
    private static readonly string Asl = Path.Combine(RepoPaths.Root, "infra", "statemachine", "remediation.asl.json");
    private static readonly string Runbook = Path.Combine(RepoPaths.Root, "infra", "runbooks", "EnaRemediate-Recover.yaml");

    [Fact]
    public async Task The_state_machine_is_valid_ASL()
    {
        var verdict = await NodeTool.ValidateAsync("asl", Asl);
        Assert.True(verdict.Valid, verdict.ToString());
    }

    [Fact]
    public async Task Asl_validator_rejects_a_state_machine_with_a_dangling_Next()
    {
        var broken = await WriteTempAsync(".json", (await File.ReadAllTextAsync(Asl)).Replace("\"Next\": \"IsDone\"", "\"Next\": \"Nowhere\""));
        Assert.False((await NodeTool.ValidateAsync("asl", broken)).Valid);
    }

    [Fact]
    public async Task The_runbook_is_a_valid_automation_document()
    {
        var verdict = await NodeTool.ValidateAsync("ssm-automation", Runbook);
        Assert.True(verdict.Valid, verdict.ToString());
    }

    [Fact]
    public async Task The_automation_schema_rejects_an_unknown_action()
    {
        var broken = await WriteTempAsync(".yaml", (await File.ReadAllTextAsync(Runbook)).Replace("action: aws:executeStateMachine", "action: aws:launchMissiles"));
        Assert.False((await NodeTool.ValidateAsync("ssm-automation", broken)).Valid);
    }

    [Fact]
    public async Task The_packaging_script_is_shellcheck_clean()
    {
        var (exit, stdout, stderr) = await ChildProcess.RunAsync("shellcheck", [Path.Combine(RepoPaths.Root, "tools", "package-lambda.sh")], RepoPaths.Root, TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, stdout + stderr);
    }

    private static async Task<string> WriteTempAsync(string extension, string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"enaremediate-{Guid.NewGuid():N}{extension}");
        await File.WriteAllTextAsync(file, text);
        return file;
    }
}
