using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>
/// Issue 11, isolation: one host's malformed output (valid JSON with null elements, missing
/// fields) or a judge that throws fails or retries that record only; the rest of the batch advances.
/// </summary>
public sealed class HostOutputIsolationTests
{
    private const string Good1 = "i-0000000000000a001";
    private const string Good2 = "i-0000000000000a002";
    private const string Hostile = "i-0000000000000b001";

    public static TheoryData<string, string> HostileOutputs => new()
    {
        { "collect", """{"schema":"enaremediate.host-report/1","kernels":[null]}""" },
        { "collect", """{"interfaces":[null]}""" },
        { "collect", """{"kernels":[{"kernel":null,"enaModule":null}],"dkms":[null],"ethtoolStats":{"eth0":null},"readiness":{"reasons":[null]}}""" },
        { "collect", "{\"hostname\":\"\ud800\"}" },
        { "install", """{"status":"failed","kernels":[null]}""" },
        { "install", """{"status":"installed","kernels":[{"kernel":null}]}""" },
        { "install", """{}""" },
    };

    [Theory]
    [MemberData(nameof(HostileOutputs))]
    public async Task OneHostsMalformedOutputFailsOnlyThatRecord(string document, string output)
    {
        var world = new FakeWorld();
        world.Cloud.Add(Good1);
        world.Cloud.Add(Good2);
        world.Cloud.Add(Hostile, vm =>
        {
            if (document == "collect")
            {
                vm.CollectOutput = output;
            }
            else
            {
                vm.InstallOutput = output;
            }
        });

        var result = await world.RemediateAsync(world.Service(), FakeWorld.Remediate(Good1, Good2, Hostile));

        var outcomes = result.Records.ToDictionary(r => r.InstanceId, r => r);
        Assert.Equal(Outcomes.Recovered, outcomes[Good1].Outcome);
        Assert.Equal(Outcomes.Recovered, outcomes[Good2].Outcome);
        var hostile = outcomes[Hostile];
        // A broken report cannot validate; an install result with nothing wrong in it may pass, and the later validation decides.
        Assert.True(hostile.Outcome is Outcomes.RolledBack or Outcomes.Recovered, $"{hostile.Outcome}: {hostile.OutcomeReason}");
        Assert.Equal("running", world.Cloud.Vms[Hostile].State);
        Assert.Empty(world.Cloud.Violations);
    }

    /// <summary>A judge that throws (a bug no test foresaw) is that record's failed attempt: it rolls back, the others recover.</summary>
    [Fact]
    public async Task AJudgeThatThrowsForOneHostRollsBackOnlyThatRecord()
    {
        var world = new FakeWorld();
        world.Cloud.Add(Good1);
        world.Cloud.Add(Hostile, vm => vm.CollectOutput = """{"hostname":"boom","kernels":[]}""");

        var result = await world.RemediateAsync(world.Service(validator: new ThrowingOn("boom")), FakeWorld.Remediate(Good1, Hostile));

        var outcomes = result.Records.ToDictionary(r => r.InstanceId, r => r);
        Assert.Equal(Outcomes.Recovered, outcomes[Good1].Outcome);
        Assert.Equal(Outcomes.RolledBack, outcomes[Hostile].Outcome);
        Assert.Contains("attempt limit", outcomes[Hostile].OutcomeReason);
        Assert.False(world.Cloud.Vms[Hostile].Ena);
        Assert.Equal("running", world.Cloud.Vms[Hostile].State);
    }

    private sealed class ThrowingOn(string hostname) : IHostValidator
    {
        private readonly HostReportValidator _real = new();

        public ValidationResult CheckDriverInstalled(HostReport report) =>
            report.Hostname == hostname ? throw new InvalidOperationException("a judge bug") : _real.CheckDriverInstalled(report);

        public ValidationResult CheckEnaBound(HostReport report) =>
            report.Hostname == hostname ? throw new InvalidOperationException("a judge bug") : _real.CheckEnaBound(report);
    }
}
