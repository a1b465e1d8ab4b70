using System.Text.Json.Nodes;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// The SSM Command documents are generated from the scripts (driver/generate-documents.sh). There
/// is no public JSON schema for schemaVersion 2.2, so the structure is checked here field by field.
/// </summary>
public sealed class SsmDocumentTests
{
    private const string Install = "EnaRemediate-InstallDriver.json";
    private const string Collect = "EnaRemediate-CollectHostReport.json";

    private static SsmCommandDocument Load(string name) => new(Path.Combine(RepoPaths.Documents, name));

    [Fact]
    public void CheckedInDocumentsAreExactlyWhatTheGeneratorProduces()
    {
        var output = Directory.CreateTempSubdirectory("enaremediate-documents-").FullName;
        try
        {
            var result = Shell.Run(RepoPaths.Generator, output);
            Assert.True(result.ExitCode == 0, result.ToString());
            var generated = Directory.GetFiles(output).Select(Path.GetFileName).Order().ToList();
            var checkedIn = Directory.GetFiles(RepoPaths.Documents).Select(Path.GetFileName).Order().ToList();
            Assert.Equal([Collect, Install], generated);
            Assert.Equal(generated, checkedIn);
            foreach (var name in generated)
            {
                Assert.True(File.ReadAllText(Path.Combine(output, name!)) == File.ReadAllText(Path.Combine(RepoPaths.Documents, name!)),
                    $"driver/documents/{name} differs from the generator's output: run driver/generate-documents.sh and commit the result");
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Theory]
    [InlineData(Install, "installEnaDriver", new[] { "SourceArchive", "Sha256", "Version", "Kernels" })]
    [InlineData(Collect, "collectHostReport", new string[0])]
    public void DocumentsHaveTheCommandDocumentStructure(string name, string stepName, string[] parameterNames)
    {
        var document = Load(name);
        var json = document.Json;
        Assert.Equal("2.2", json["schemaVersion"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(json["description"]?.GetValue<string>()));
        Assert.Equal(["schemaVersion", "description", "parameters", "mainSteps"], json.Select(p => p.Key));

        var steps = json["mainSteps"]!.AsArray();
        var step = Assert.Single(steps)!.AsObject();
        Assert.Equal("aws:runShellScript", step["action"]!.GetValue<string>());
        Assert.Equal(stepName, step["name"]!.GetValue<string>());
        Assert.Equal("Linux", step["precondition"]!["StringEquals"]![1]!.GetValue<string>());
        var inputs = step["inputs"]!.AsObject();
        Assert.True(int.Parse(inputs["timeoutSeconds"]!.GetValue<string>()) is > 0 and <= 172800);
        Assert.All(inputs["runCommand"]!.AsArray(), line => Assert.Equal(System.Text.Json.JsonValueKind.String, line!.GetValueKind()));

        Assert.Equal(parameterNames.Order(), document.Parameters.Select(p => p.Key).Order());
        foreach (var (parameterName, parameter) in document.Parameters)
        {
            Assert.Equal("String", parameter!["type"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(parameter["description"]?.GetValue<string>()), parameterName);
            var pattern = parameter["allowedPattern"]!.GetValue<string>();
            Assert.StartsWith("^", pattern);
            Assert.EndsWith("$", pattern);
            if (parameter["default"] is JsonNode defaultValue)
            {
                Assert.True(SsmCommandDocument.Allows(parameter, defaultValue.GetValue<string>()), $"{parameterName}'s default breaks its own pattern");
            }
        }

        // Every reference is declared, every declared parameter is used, and only inside a single-quoted assignment.
        var references = document.RunCommand.SelectMany(line => SsmCommandDocument.ParameterReference().Matches(line)
            .Select(match => (line, name: match.Groups[1].Value))).ToList();
        Assert.Equal(parameterNames.Order(), references.Select(r => r.name).Distinct().Order());
        Assert.All(references, reference => Assert.Matches(@"^ENA_[A-Z0-9_]+='\{\{ [A-Za-z0-9]+ \}\}'$", reference.line));
    }

    [Fact]
    public void ThePinnedReleaseFromTheManifestIsTheDefault()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Driver, "ena-driver.json")))!["release"]!;
        var parameters = Load(Install).Parameters;
        Assert.Equal(manifest["archiveUrl"]!.GetValue<string>(), parameters["SourceArchive"]!["default"]!.GetValue<string>());
        Assert.Equal(manifest["version"]!.GetValue<string>(), parameters["Version"]!["default"]!.GetValue<string>());
        // No digest is invented: without a pinned sha256 in the manifest the caller must give one.
        Assert.Equal(manifest["sha256"] is null, parameters["Sha256"]!["default"] is null);
    }

    public static TheoryData<string, string> HostileValues => new()
    {
        { "SourceArchive", "/tmp/x'; touch /tmp/pwned; '" },
        { "SourceArchive", "/tmp/$(touch /tmp/pwned)" },
        { "SourceArchive", "/tmp/x\n/tmp/y" },
        { "SourceArchive", "/tmp/`id`" },
        { "SourceArchive", "http://example.com/ena.tar.gz" },
        { "Sha256", new string('a', 63) + "'" },
        { "Sha256", new string('a', 64) + "\n" + new string('a', 64) },
        { "Version", "2.16.1'; id; '" },
        { "Version", "$(id)" },
        { "Kernels", "6.1.0-56-amd64'; id; '" },
        { "Kernels", "6.1.0-56-amd64;id" },
        { "Kernels", "$(id)" },
        { "Kernels", "*" },
        { "Kernels", "a\\b" },
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void HostileParameterValuesAreRefusedByTheirPattern(string parameter, string value)
    {
        var document = Load(Install);
        Assert.False(SsmCommandDocument.Allows(document.Parameters[parameter]!, value));
        Assert.Throws<ArgumentException>(() => document.Render(new Dictionary<string, string>
        {
            ["Sha256"] = new string('0', 64),
            [parameter] = value,
        }));
    }

    [Fact]
    public void EmbeddedScriptsCannotBeAlteredBySsmSubstitution()
    {
        foreach (var script in new[] { RepoPaths.InstallScript, RepoPaths.CollectScript }
                     .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Scripts, "lib"))))
        {
            var text = File.ReadAllText(script);
            Assert.DoesNotContain("{{", text);
            Assert.DoesNotContain("ENAREMEDIATE_SCRIPT_END", text);
        }
    }

    [Fact]
    public void TheRenderedInstallDocumentPassesEachKernelAsItsOwnArgument()
    {
        // A digest that matches no file: the run stops at the checksum, before any change, and its
        // result lists the kernels exactly as the document split them.
        var result = Load(Install).Run(new Dictionary<string, string>
        {
            ["SourceArchive"] = RepoPaths.InstallScript,
            ["Sha256"] = new string('0', 64),
            ["Version"] = "",
            ["Kernels"] = "6.1.0-56-amd64, 6.1.0-57-amd64 5.10.0-1+deb11u1",
        }, new Dictionary<string, string?> { ["ENAREMEDIATE_PACKAGES"] = "never" });
        Assert.Equal(1, result.ExitCode);
        var install = result.InstallResult();
        Assert.Equal("failed", install.Status);
        Assert.Equal(["6.1.0-56-amd64", "6.1.0-57-amd64", "5.10.0-1+deb11u1"], install.Kernels!.Select(k => k.Kernel));
        Assert.All(install.Kernels!, k => Assert.StartsWith("checksum_mismatch:", k.Error));
    }

    [Fact]
    public void AKernelValueThatLooksLikeAnOptionIsRefusedByTheScript()
    {
        // "-x" passes the document's pattern; install-ena.sh's own check refuses it as a kernel name.
        var result = Load(Install).Run(new Dictionary<string, string>
        {
            ["SourceArchive"] = RepoPaths.InstallScript,
            ["Sha256"] = new string('0', 64),
            ["Kernels"] = "--dry-run",
        });
        Assert.Equal(64, result.ExitCode);
        Assert.Equal("failed", result.InstallResult().Status);
        Assert.Contains("--kernel must be a kernel release", result.InstallResult().Log);
    }
}
