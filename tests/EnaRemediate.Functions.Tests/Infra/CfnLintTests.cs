using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>cfn-lint (AWS's CloudFormation linter) as a gate: the template passes it with the informational checks too.</summary>
public sealed class CfnLintTests
{
    [CfnLintFact]
    public async Task Cfn_lint_with_informational_checks_reports_nothing()
    {
        var (exit, stdout, stderr) = await CfnLint.RunAsync(Template.Path);
        Assert.True(exit == 0 && stdout.Trim().Length == 0, $"cfn-lint exited {exit}:\n{stdout}{stderr}");
    }

    [CfnLintFact]
    public async Task Cfn_lint_catches_an_audit_table_that_would_be_deleted_with_the_stack()
    {
        var text = await File.ReadAllTextAsync(Template.Path);
        var table = "  RecordsTable:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n";
        Assert.Contains(table, text);
        var broken = Path.Combine(Path.GetTempPath(), $"enaremediate-cfnlint-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(broken, text.Replace(table, "  RecordsTable:\n    Type: AWS::DynamoDB::Table\n"));
        try
        {
            var (exit, stdout, _) = await CfnLint.RunAsync(broken);
            Assert.NotEqual(0, exit);
            Assert.Contains("I3011", stdout);
        }
        finally { File.Delete(broken); }
    }
}

/// <summary>Where cfn-lint is: the cfn-lint command on PATH, or python3's cfnlint module (tools/setup.sh installs it when it can).</summary>
public static class CfnLint
{
    public static readonly (string File, string[] Prefix)? Command = Find();

    public static Task<(int Exit, string Stdout, string Stderr)> RunAsync(string template)
    {
        var (file, prefix) = Command ?? throw new InvalidOperationException("cfn-lint is not installed.");
        return ChildProcess.RunAsync(file, [.. prefix, "-t", template, "--include-checks", "I"], RepoPaths.Root, TimeSpan.FromMinutes(3));
    }

    private static (string, string[])? Find()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "cfn-lint")).FirstOrDefault(File.Exists);
        if (onPath is not null) return (onPath, []);
        try
        {
            var (exit, _, _) = ChildProcess.RunAsync("python3", ["-c", "import cfnlint"], RepoPaths.Root, TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
            return exit == 0 ? ("python3", ["-m", "cfnlint"]) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3 at all
        }
    }
}

/// <summary>A fact that reports skipped, with the reason, where cfn-lint is not installed: never a silent pass.</summary>
public sealed class CfnLintFactAttribute : FactAttribute
{
    public CfnLintFactAttribute()
    {
        if (CfnLint.Command is null)
            Skip = "cfn-lint is not installed (neither a cfn-lint command on PATH nor python3's cfnlint module): run `bash tools/setup.sh`, which pip-installs it.";
    }
}
