using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// EnaRemediate-RebundleInstance (driver/scripts/rebundle-instance.sh): its parameters' patterns
/// and the rendered document run with sh against stand-ins for the EC2 AMI tools, openssl and the
/// instance metadata (no AMI tools or IMDS exist here), recording the argument lists they get.
/// </summary>
public sealed class RebundleDocumentTests
{
    private const string Rebundle = "EnaRemediate-RebundleInstance.json";

    private static SsmCommandDocument Load() => new(Path.Combine(RepoPaths.Documents, Rebundle));

    [Fact]
    public void TheBucketAndPrefixAreRequiredAndTheArchitectureDefaultsToX8664()
    {
        var parameters = Load().Parameters;
        Assert.Null(parameters["Bucket"]!["default"]);
        Assert.Null(parameters["KeyPrefix"]!["default"]);
        Assert.Equal("x86_64", parameters["Architecture"]!["default"]!.GetValue<string>());
        Assert.Throws<ArgumentException>(() => Load().Render(new Dictionary<string, string> { ["KeyPrefix"] = "p" }));
    }

    public static TheoryData<string, string> HostileValues => new()
    {
        { "Bucket", "bucket'; reboot; '" },
        { "Bucket", "Bucket_Upper" },
        { "Bucket", "b" },
        { "Bucket", "bucket\nother" },
        { "Bucket", "$(id)" },
        { "KeyPrefix", "-b evil" },
        { "KeyPrefix", "/absolute" },
        { "KeyPrefix", "p'; id; '" },
        { "KeyPrefix", "p $(id)" },
        { "KeyPrefix", "p\nq" },
        { "KeyPrefix", "p`id`" },
        { "Architecture", "x86_64; id" },
        { "Architecture", "sparc" },
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void HostileValuesAreRefusedByTheirPattern(string parameter, string value)
    {
        var document = Load();
        Assert.False(SsmCommandDocument.Allows(document.Parameters[parameter]!, value));
        var values = new Dictionary<string, string> { ["Bucket"] = "stack-bucket", ["KeyPrefix"] = "p", [parameter] = value };
        Assert.Throws<ArgumentException>(() => document.Render(values));
    }

    [Fact]
    public void TheDocumentBundlesWithAFreshKeyAndUploadsToTheBucketAndPrefixAsSeparateArguments()
    {
        using var host = new StandInHost();
        var result = Load().Run(new Dictionary<string, string>
        {
            ["Bucket"] = "enaremediate-stack-bucket",
            ["KeyPrefix"] = "enaremediate/bundles/i-0abc-20261127T101500-1a2b3c4d",
            ["Architecture"] = "i386",
        }, host.Environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"status":"uploaded","manifest":"enaremediate-stack-bucket/enaremediate/bundles/i-0abc-20261127T101500-1a2b3c4d/image.manifest.xml","error":null}""", result.LastLine);
        var bundle = host.Arguments("ec2-bundle-vol");
        Assert.Equal("123456789012", After(bundle, "-u"));
        Assert.Equal("i386", After(bundle, "-r"));
        Assert.Equal("image", After(bundle, "-p"));
        Assert.Equal(After(bundle, "-d"), After(bundle, "-e"));
        Assert.StartsWith(After(bundle, "-d"), After(bundle, "-k"));
        Assert.Contains("--batch", bundle);
        var upload = host.Arguments("ec2-upload-bundle");
        Assert.Equal("enaremediate-stack-bucket/enaremediate/bundles/i-0abc-20261127T101500-1a2b3c4d", After(upload, "-b"));
        Assert.Equal(After(bundle, "-d") + "/image.manifest.xml", After(upload, "-m"));
        Assert.Equal(("ASIAEXAMPLE", "secret/example", "token+example"), (After(upload, "-a"), After(upload, "-s"), After(upload, "-t")));
        Assert.Equal("eu-west-1", After(upload, "--region"));
        Assert.False(Directory.Exists(After(bundle, "-d")), "the work directory with the signing key is removed");
    }

    [Fact]
    public void APrefixWithDotDotPassesThePatternButTheScriptRefusesItBeforeBundling()
    {
        using var host = new StandInHost();
        var result = Load().Run(new Dictionary<string, string> { ["Bucket"] = "stack-bucket", ["KeyPrefix"] = "a/../b" }, host.Environment);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("\"status\":\"failed\"", result.LastLine);
        Assert.Contains("--key-prefix", result.LastLine);
        Assert.False(host.Ran("ec2-bundle-vol"));
    }

    [Fact]
    public void AFailedUploadIsReportedAsFailedWithNoManifest()
    {
        using var host = new StandInHost(uploadFails: true);
        var result = Load().Run(new Dictionary<string, string> { ["Bucket"] = "stack-bucket", ["KeyPrefix"] = "p" }, host.Environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("""{"status":"failed","manifest":null,"error":"upload_failed: ec2-upload-bundle could not upload to s3://stack-bucket/p/"}""", result.LastLine);
    }

    [Fact]
    public void WithoutTheAmiToolsNothingIsBundled()
    {
        using var host = new StandInHost(withAmiTools: false);
        var result = Load().Run(new Dictionary<string, string> { ["Bucket"] = "stack-bucket", ["KeyPrefix"] = "p" }, host.Environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("tools_missing: ec2-bundle-vol", result.LastLine);
    }

    private static string After(IReadOnlyList<string> arguments, string option) => arguments[arguments.ToList().IndexOf(option) + 1];

    /// <summary>A PATH of stand-ins: curl answers as IMDSv2 does, openssl writes the key files, the AMI tools record their arguments one a line.</summary>
    private sealed class StandInHost : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("enaremediate-rebundle-").FullName;

        public StandInHost(bool uploadFails = false, bool withAmiTools = true)
        {
            var bin = Path.Combine(_dir, "bin");
            Directory.CreateDirectory(bin);
            Write(bin, "curl", """
                for a in "$@"; do url=$a; done
                case $url in
                  */api/token) printf 'token-1' ;;
                  */dynamic/instance-identity/document) printf '{\n  "accountId" : "123456789012",\n  "region" : "eu-west-1"\n}\n' ;;
                  */security-credentials/) printf 'batch-role\n' ;;
                  */security-credentials/batch-role) printf '{\n  "AccessKeyId" : "ASIAEXAMPLE",\n  "SecretAccessKey" : "secret/example",\n  "Token" : "token+example"\n}\n' ;;
                  *) exit 22 ;;
                esac
                """);
            Write(bin, "openssl", """
                while [ $# -gt 0 ]; do case $1 in -keyout|-out) : >"$2"; shift ;; esac; shift; done
                """);
            if (withAmiTools)
            {
                Write(bin, "ec2-bundle-vol", Recording("ec2-bundle-vol") + """
                    while [ $# -gt 0 ]; do case $1 in -d) : >"$2/image.manifest.xml"; shift ;; esac; shift; done
                    """);
                Write(bin, "ec2-upload-bundle", Recording("ec2-upload-bundle") + (uploadFails ? "exit 1\n" : ""));
            }
            Environment = new Dictionary<string, string?>
            {
                ["PATH"] = bin + ":/usr/bin:/bin",
                ["TMPDIR"] = _dir,
                ["ENA_LOCK_FILE"] = Path.Combine(_dir, "host.lock"),
            };
        }

        public IReadOnlyDictionary<string, string?> Environment { get; }

        public bool Ran(string tool) => File.Exists(Path.Combine(_dir, tool + ".args"));

        public IReadOnlyList<string> Arguments(string tool) =>
            File.ReadAllLines(Path.Combine(_dir, tool + ".args"));

        private string Recording(string tool) => $"printf '%s\\n' \"$@\" >'{Path.Combine(_dir, tool + ".args")}'\n";

        private static void Write(string bin, string name, string body)
        {
            var path = Path.Combine(bin, name);
            File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
            Shell.Check("chmod", "+x", path);
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }
}
