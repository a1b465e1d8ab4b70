using System.Text.Json;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// Issue 11: intake answers (a 200, so Lambda does not retry) every event that is not an
/// actionable alarm, with the reason, and calls nothing: the engine's ports here fail the test if touched.
/// </summary>
public sealed class IntakeIgnoresTests
{
    [Theory]
    [InlineData("eventbridge-alarm-configuration-change.json")]
    [InlineData("eventbridge-ec2-state-change.json")]
    [InlineData("eventbridge-health-event.json")]
    [InlineData("eventbridge-back-to-ok.json")]
    [InlineData("eventbridge-insufficient-data.json")]
    public async Task NonAlarmEventsAreAnsweredAsIgnoredWithoutAnyCall(string fixture)
    {
        var untouchable = new UntouchablePorts();
        var engine = new RemediationService(untouchable, untouchable, new InMemoryRemediationStore(), new EngineOptions(), TimeProvider.System);
        var handler = new IntakeHandler(new TriggerNormaliser(RemediationMode.Remediate, "us-east-1"), engine, new Core.Notifications.NotificationComposer(new Core.Notifications.RecordLocation("records")));
        using var log = new StringWriter();
        var invocation = new LambdaInvocation("req-1", DateTimeOffset.UtcNow.AddMinutes(1), "arn:aws:lambda:us-east-1:123456789012:function:intake", null,
            Fixtures.Event(fixture), new StructuredLog(log, TimeProvider.System, "req-1"));

        var answer = JsonDocument.Parse(await handler.HandleAsync(invocation, CancellationToken.None)).RootElement;

        Assert.Equal(IntakeHandler.Ignored, answer.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("reason").GetString()));
        Assert.Equal(0, answer.GetProperty("remediationIds").GetArrayLength());
    }

    /// <summary>A unit test's stand-in for EC2 and SSM: any call is a failure of the test.</summary>
    private sealed class UntouchablePorts : IEc2Port, ISsmPort
    {
        private static Exception Touched() => new InvalidOperationException("intake called AWS for an event it should ignore");
        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> ids, CancellationToken ct) => throw Touched();
        public Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> types, CancellationToken ct) => throw Touched();
        public Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> ids, CancellationToken ct) => throw Touched();
        public Task StopInstancesAsync(IReadOnlyList<string> ids, bool force, bool dryRun, CancellationToken ct) => throw Touched();
        public Task StartInstancesAsync(IReadOnlyList<string> ids, bool dryRun, CancellationToken ct) => throw Touched();
        public Task SetEnaSupportAsync(string id, bool enabled, bool dryRun, CancellationToken ct) => throw Touched();
        public Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> ids, CancellationToken ct) => throw Touched();
        public Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> ids, CancellationToken ct) => throw Touched();
        public Task<string> SendCommandAsync(string doc, IReadOnlyList<string> ids, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken ct) => throw Touched();
        public Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken ct) => throw Touched();
        public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string doc, DateTimeOffset after, CancellationToken ct) => throw Touched();
        public Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string id, CancellationToken ct) => throw Touched();
    }
}
