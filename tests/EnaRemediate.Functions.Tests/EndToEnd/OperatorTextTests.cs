using System.Text.Json.Nodes;
using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>What the functions tell an operator on failing paths names no .NET type and carries no stack trace.</summary>
public sealed class OperatorTextTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static void AssertNoDotNetText(string text)
    {
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("stackTrace", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"instanceIds\":[\"\\ud800\"]}")]
    [InlineData("{\"detail-type\":\"\\udc00\",\"source\":\"x\"}")]
    [InlineData("\ud800")]
    [InlineData("{\"instanceIds\":")]
    public void Intake_refusals_of_broken_events_name_no_dotnet_type(string payload)
    {
        var decision = new TriggerNormaliser(RemediationMode.Remediate, "us-east-1").Normalise(payload);

        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        AssertNoDotNetText(decision.Reason);
    }

    [Fact]
    public async Task A_functions_own_error_caught_by_the_workflow_is_recorded_by_its_message_alone()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        var started = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), JsonNode.Parse($$"""{"instanceIds":["{{id}}"],"mode":"remediate"}""")!);
        var remediationId = started["remediationIds"]![0]!.GetValue<string>();
        var cause = new JsonObject
        {
            ["errorMessage"] = "Connection refused (ec2.us-east-1.amazonaws.com:443)",
            ["errorType"] = "HttpRequestException",
            ["stackTrace"] = new JsonArray("at System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync()"),
        };

        await deployment.InvokeAsync(Deployment.FunctionArn("advance"), new JsonObject
        {
            ["remediationIds"] = new JsonArray(remediationId),
            ["workflowError"] = new JsonObject { ["Error"] = "HttpRequestException", ["Cause"] = cause.ToJsonString() },
        });

        var record = (await deployment.Services.Store.GetAsync(remediationId))!;
        var stopped = Assert.Single(record.History, h => h.Event.StartsWith("workflow stopped", StringComparison.Ordinal));
        Assert.Equal("workflow stopped: the function failed: Connection refused (ec2.us-east-1.amazonaws.com:443)", stopped.Event);
        Assert.All(record.History, h => AssertNoDotNetText(h.Event));
    }
}
