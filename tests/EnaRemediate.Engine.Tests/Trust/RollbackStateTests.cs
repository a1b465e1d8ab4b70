using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>
/// Issue 11: rollback means the best reachable state and the record says exactly what remains:
/// ENA back on when the instance was found healthy with it on, off when that keeps it reachable,
/// and which DKMS module stays installed and how to remove it.
/// </summary>
public sealed class RollbackStateTests
{
    private const string Id = "i-0123456789abcdef0";
    private readonly FakeWorld _world = new();

    [Fact]
    public async Task AForcedRunOnAHealthyInstanceRollsBackWithEnaOnAsFound()
    {
        _world.Cloud.Add(Id, vm =>
        {
            vm.DriverInstalled = true;
            vm.FinalValidationFails = true;
        });

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id) with { Force = true })).Records);

        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.True(_world.Cloud.Vms[Id].Ena, "found healthy with ENA on, the rollback must turn it back on");
        Assert.Equal("running", _world.Cloud.Vms[Id].State);
        Assert.Contains("enaSupport on as found", record.Remains);
    }

    [Fact]
    public async Task AnUnreachableInstanceRollsBackWithEnaOffAndTheRecordNamesTheDkmsModuleLeft()
    {
        _world.Cloud.Add(Id, vm => vm.FinalValidationFails = true);

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id))).Records);

        Assert.Equal(Outcomes.RolledBack, record.Outcome);
        Assert.False(_world.Cloud.Vms[Id].Ena);
        Assert.Contains("enaSupport off (found on; off keeps it reachable", record.Remains);
        Assert.Contains("ena/2.16.1 stays installed", record.Remains);
        Assert.Contains("sudo dkms remove ena/2.16.1 --all", record.Remains);
        Assert.Contains("What remains:", record.OutcomeReason);
    }

    [Fact]
    public async Task AFailedInstallSaysNoModuleWasLeftInstalledByItsRun()
    {
        _world.Cloud.Add(Id, vm => vm.InstallFails = true);

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id))).Records);

        Assert.Equal(Outcomes.RolledBack, record.Outcome);
        Assert.Contains("the driver install did not complete", record.Remains);
        Assert.DoesNotContain("stays installed", record.Remains);
    }
}
