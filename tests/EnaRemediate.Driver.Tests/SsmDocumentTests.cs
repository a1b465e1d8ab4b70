using System.Text.Json.Nodes;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// The SSM Command documents are generated from the scripts (driver/generate-documents.sh). There
/// is no public JSON schema for schemaVersion 2.2, so the structure is checked here field by field.
/// </summary>
public sealed class SsmDocumentTests(S3Server s3) : IClassFixture<S3Server>
{
    private const string Install = "EnaRemediate-InstallDriver.json";
    private const string Collect = "EnaRemediate-CollectHostReport.json";
    private const string Offline = "EnaRemediate-OfflineRepair.json";
    private const string Rebundle = "EnaRemediate-RebundleInstance.json";
    private static readonly string[] InstallParameterNames = ["SourceArchive", "Sha256", "Version", "Kernels"];

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
            Assert.Equal([Collect, Install, Offline, Rebundle], generated);
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
    [InlineData(Offline, "offlineRepair", new[] { "TargetDevice", "VolumeId", "SourceArchive", "Sha256", "Version", "Kernels" })]
    [InlineData(Collect, "collectHostReport", new[] { "Counters" })]
    [InlineData(Rebundle, "rebundleInstance", new[] { "Bucket", "KeyPrefix", "Architecture" })]
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

    [Theory]
    [InlineData(Install)]
    [InlineData(Offline)]
    public void ThePinnedReleaseFromTheManifestIsTheDefault(string name)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Driver, "ena-driver.json")))!["release"]!;
        var parameters = Load(name).Parameters;
        Assert.Equal(manifest["archiveUrl"]!.GetValue<string>(), parameters["SourceArchive"]!["default"]!.GetValue<string>());
        Assert.Equal(manifest["version"]!.GetValue<string>(), parameters["Version"]!["default"]!.GetValue<string>());
        Assert.Equal(manifest["sha256"]!.GetValue<string>(), parameters["Sha256"]!["default"]!.GetValue<string>());
        Assert.Equal("fc7293dc7c8cf6421bdc09b1b65150b33d6c53bc76c491b3d97583e2f5e80326", parameters["Sha256"]!["default"]!.GetValue<string>());
    }

    [Fact]
    public void TheOfflineRepairDocumentTakesTheInstallParametersUnchanged()
    {
        var install = Load(Install).Parameters;
        var offline = Load(Offline).Parameters;
        foreach (var name in InstallParameterNames)
        {
            Assert.Equal(install[name]!["allowedPattern"]!.GetValue<string>(), offline[name]!["allowedPattern"]!.GetValue<string>());
            Assert.Equal(install[name]!["default"]?.GetValue<string>(), offline[name]!["default"]?.GetValue<string>());
        }
        // The engine calls it with exactly these names; TargetDevice is required.
        Assert.Null(offline["TargetDevice"]!["default"]);
        Assert.Equal("", offline["VolumeId"]!["default"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(Install)]
    [InlineData(Offline)]
    [InlineData(Collect)]
    [InlineData(Rebundle)]
    public void EveryDocumentFitsSsmsSizeLimitWithRoomForItsParameters(string name)
    {
        // CreateDocument: "The content of the document must not exceed 64KB. This quota also
        // includes the content specified for input parameters at runtime."
        var compact = System.Text.Encoding.UTF8.GetByteCount(Load(name).Json.ToJsonString());
        Assert.True(compact < 60_000, $"{name} is {compact} bytes as JSON");
    }

    public static TheoryData<string, string> HostileValues => new()
    {
        { "SourceArchive", "/tmp/x'; touch /tmp/pwned; '" },
        { "SourceArchive", "/tmp/$(touch /tmp/pwned)" },
        { "SourceArchive", "/tmp/x\n/tmp/y" },
        { "SourceArchive", "/tmp/`id`" },
        { "SourceArchive", "http://example.com/ena.tar.gz" },
        { "SourceArchive", "/etc/shadow" },
        { "SourceArchive", "/tmp/ena.tar.gz" },
        { "SourceArchive", "file:///etc/shadow" },
        { "SourceArchive", "s3://Not_A_Bucket/key" },
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
        foreach (var document in new[] { Load(Install), Load(Offline) })
        {
            Assert.False(SsmCommandDocument.Allows(document.Parameters[parameter]!, value));
            var values = new Dictionary<string, string> { ["Sha256"] = new string('0', 64), [parameter] = value };
            if (document.Parameters.ContainsKey("TargetDevice")) values["TargetDevice"] = "/dev/sdf";
            Assert.Throws<ArgumentException>(() => document.Render(values));
        }
    }

    public static TheoryData<string, string> HostileOfflineValues => new()
    {
        { "TargetDevice", "/dev/sdf'; reboot; '" },
        { "TargetDevice", "/dev/sdf\n/dev/sdg" },
        { "TargetDevice", "/dev/../etc/shadow" },
        { "TargetDevice", "/dev/sdf1" },
        { "TargetDevice", "/tmp/disk.img" },
        { "TargetDevice", "$(reboot)" },
        { "VolumeId", "vol-0123'; id; '" },
        { "VolumeId", "vol-xyz" },
        { "VolumeId", "i-0123456789abcdef0" },
    };

    [Theory]
    [MemberData(nameof(HostileOfflineValues))]
    public void HostileTargetValuesAreRefusedByTheirPattern(string parameter, string value)
    {
        var document = Load(Offline);
        Assert.False(SsmCommandDocument.Allows(document.Parameters[parameter]!, value));
        Assert.Throws<ArgumentException>(() => document.Render(new Dictionary<string, string> { ["TargetDevice"] = "/dev/sdf", [parameter] = value }));
    }

    [Theory]
    [InlineData("/dev/sdf", "")]
    [InlineData("/dev/xvdf", "")]
    [InlineData("/dev/nvme1n1", "vol-0123456789abcdef0")]
    [InlineData("/dev/sdf", "vol-01234567")]
    public void TheEnginesTargetValuesPassTheOfflinePattern(string device, string volume)
    {
        var parameters = Load(Offline).Parameters;
        Assert.True(SsmCommandDocument.Allows(parameters["TargetDevice"]!, device));
        Assert.True(SsmCommandDocument.Allows(parameters["VolumeId"]!, volume));
    }

    [Fact]
    public void EmbeddedScriptsCannotBeAlteredBySsmSubstitution()
    {
        foreach (var script in new[] { RepoPaths.InstallScript, RepoPaths.CollectScript, RepoPaths.OfflineRepairScript, Path.Combine(RepoPaths.Scripts, "rebundle-instance.sh") }
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
            ["SourceArchive"] = s3.Put(RepoPaths.InstallScript, "not-an-archive"),
            ["Sha256"] = new string('0', 64),
            ["Version"] = "",
            ["Kernels"] = "6.1.0-56-amd64, 6.1.0-57-amd64 5.10.0-1+deb11u1",
        }, s3.With(new Dictionary<string, string?> { ["ENAREMEDIATE_PACKAGES"] = "never" }));
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
            ["SourceArchive"] = "s3://bucket-name/ena.tar.gz",
            ["Sha256"] = new string('0', 64),
            ["Kernels"] = "--dry-run",
        });
        Assert.Equal(64, result.ExitCode);
        Assert.Equal("failed", result.InstallResult().Status);
        Assert.Contains("--kernel must be a kernel release", result.InstallResult().Log);
    }
}
