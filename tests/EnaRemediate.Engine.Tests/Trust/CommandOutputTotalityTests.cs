using CsCheck;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>Issue 11: every parser of host output is total, and what it returns can be judged without an exception.</summary>
public sealed class CommandOutputTotalityTests
{
    private static readonly string[] Shapes =
    [
        """{"schema":"enaremediate.host-report/1","kernels":[null]}""",
        """{"interfaces":[null],"kernels":[{"kernel":"6.1.0-57-amd64","running":true}]}""",
        """{"status":"failed","kernels":[null]}""",
        """{"kernels":[{"kernel":null}],"dkms":[null],"kernelLog":[null],"ethtoolStats":{"eth0":null}}""",
        """{"kernels":"not a list","interfaces":{"a":1}}""",
        """{"kernels":[1,2,3]}""",
        """{"readiness":{"reasons":[null]},"truncated":"yes"}""",
    ];

    /// <summary>Lone surrogates, raw and escaped, control characters and cut JSON.</summary>
    private static readonly string[] Inserts = ["\ud800", "\\ud800", "\udfff", "\u0000", "null", "[", "}", ",null"];

    private static readonly Gen<string> Shape = Gen.Int[0, Shapes.Length - 1].Select(i => Shapes[i]);

    private static readonly Gen<string> Hostile = Gen.OneOf(
        Gen.String,
        Gen.Char.Array[0, 40].Select(c => new string(c)),
        Shape,
        Gen.Select(Shape, Gen.Int[0, 80]).Select((shape, cut) => shape[..Math.Min(cut, shape.Length)]),
        Gen.Select(Shape, Gen.Int[0, 80], Gen.Int[0, Inserts.Length - 1]).Select((shape, at, insert) => shape.Insert(Math.Min(at, shape.Length), Inserts[insert])));

    [Fact]
    public void ParsersNeverThrowAndTheirResultsCanBeJudged()
    {
        var validator = new HostReportValidator();
        Hostile.Sample(text =>
        {
            if (CommandOutput.ParseHostReport(text) is { } report)
            {
                Assert.DoesNotContain(null, report.Kernels ?? []);
                Assert.DoesNotContain(null, report.Interfaces ?? []);
                validator.CheckDriverInstalled(report);
                validator.CheckEnaBound(report);
            }
            if (CommandOutput.ParseInstallResult(text) is { } install)
            {
                Assert.DoesNotContain(null, install.Kernels ?? []);
                Assert.All(install.Kernels ?? [], k => Assert.NotNull(k.Kernel));
            }
        }, iter: 3000);
    }

    [Theory]
    [InlineData("{\"hostname\":\"\ud800\"}")]
    [InlineData("{\"hostname\":\"\\ud800\"}")]
    [InlineData("\udc00{")]
    [InlineData("{\"kernels\":[null]}")]
    public void ExactReviewInputsGiveAnAnswerNotAnException(string text)
    {
        Assert.Null(Record.Exception(() => CommandOutput.ParseHostReport(text)));
        Assert.Null(Record.Exception(() => CommandOutput.ParseInstallResult(text)));
        Assert.DoesNotContain(null, CommandOutput.ParseHostReport(text)?.Kernels ?? []);
    }
}
