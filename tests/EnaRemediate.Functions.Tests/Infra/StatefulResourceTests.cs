using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>What outlives a `sam delete`, what is encrypted, what keeps logs, and what raises an alarm.</summary>
public sealed class StatefulResourceTests
{
    [Theory]
    [InlineData("RecordsTable")]
    [InlineData("NotificationTopic")]
    [InlineData("AlarmTopic")]
    [InlineData("TopicKey")]
    public async Task The_audit_table_the_topics_and_their_key_survive_deletion_and_replacement(string logicalId)
    {
        var resource = (await Template.LoadAsync()).Resource(logicalId);
        Assert.Equal("Retain", resource["DeletionPolicy"]!.GetValue<string>());
        Assert.Equal("Retain", resource["UpdateReplacePolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_topic_is_encrypted_with_the_stacks_key()
    {
        var template = await Template.LoadAsync();
        var topics = template.ResourcesOfType("AWS::SNS::Topic").ToList();
        Assert.NotEmpty(topics);
        Assert.All(topics, t => Assert.Equal("TopicKey", t.Resource["Properties"]!["KmsMasterKeyId"]!["Ref"]!.GetValue<string>()));
        Assert.True(template.Resource("TopicKey")["Properties"]!["EnableKeyRotation"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Every_function_logs_to_a_log_group_with_retention()
    {
        var template = await Template.LoadAsync();
        foreach (var (id, function) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var group = function["Properties"]!["LoggingConfig"]?["LogGroup"]?["Ref"]?.GetValue<string>();
            Assert.True(group is not null, $"{id} has no log group of the stack's");
            Assert.Equal("AWS::Logs::LogGroup", template.Resource(group!)["Type"]!.GetValue<string>());
            Assert.Equal("""{"Ref":"LogRetentionDays"}""", template.Resource(group!)["Properties"]!["RetentionInDays"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task Async_intake_failures_go_to_a_queue_and_raise_an_alarm()
    {
        var template = await Template.LoadAsync();
        var onFailure = template.Resource("IntakeFunction")["Properties"]!["EventInvokeConfig"]!["DestinationConfig"]!["OnFailure"]!;
        Assert.Equal("SQS", onFailure["Type"]!.GetValue<string>());
        var queue = onFailure["Destination"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        Assert.Equal("AWS::SQS::Queue", template.Resource(queue)["Type"]!.GetValue<string>());
        Assert.Contains(template.ResourcesOfType("AWS::CloudWatch::Alarm"), a =>
            a.Resource["Properties"]!["Namespace"]?.GetValue<string>() == "AWS/SQS"
            && a.Resource["Properties"]!["Dimensions"]![0]!["Value"]!["Fn::GetAtt"]![0]!.GetValue<string>() == queue);
    }

    [Fact]
    public async Task Failed_workflows_and_intake_errors_raise_alarms_to_the_notification_topic()
    {
        var template = await Template.LoadAsync();
        var alarms = template.ResourcesOfType("AWS::CloudWatch::Alarm").Where(a => a.Resource["Condition"] is null).ToList();
        var workflowMetrics = alarms.SelectMany(a => a.Resource["Properties"]!["Metrics"]?.AsArray() ?? [])
            .Select(m => m!["MetricStat"]?["Metric"]).Where(m => m?["Namespace"]?.GetValue<string>() == "AWS/States")
            .Select(m => m!["MetricName"]!.GetValue<string>()).ToList();
        Assert.Contains("ExecutionsFailed", workflowMetrics);
        Assert.Contains("ExecutionsTimedOut", workflowMetrics);
        Assert.Contains(alarms, a => a.Resource["Properties"]!["Namespace"]?.GetValue<string>() == "AWS/Lambda"
            && a.Resource["Properties"]!["MetricName"]!.GetValue<string>() == "Errors"
            && a.Resource["Properties"]!["Dimensions"]![0]!["Value"]!["Ref"]!.GetValue<string>() == "IntakeFunction");
        Assert.All(alarms, a => Assert.Equal("""[{"Ref":"NotificationTopic"}]""", a.Resource["Properties"]!["AlarmActions"]!.ToJsonString()));
    }

    [Fact]
    public async Task The_workflow_starts_from_intake_results_only_on_the_intake_bus()
    {
        var template = await Template.LoadAsync();
        var rule = template.Resource("RemediationStateMachine")["Properties"]!["Events"]!["IntakeResult"]!["Properties"]!;
        Assert.Equal("IntakeEventBus", rule["EventBusName"]!["Ref"]!.GetValue<string>());
        Assert.Equal("IntakeEventBus", template.Resource("IntakeFunction")["Properties"]!["EventInvokeConfig"]!["DestinationConfig"]!["OnSuccess"]!["Destination"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        var policy = template.Resource("IntakeEventBusPolicy")["Properties"]!["Statement"]!;
        Assert.Equal("Deny", policy["Effect"]!.GetValue<string>());
        Assert.Equal("IntakeRole", policy["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]!["Fn::GetAtt"]![0]!.GetValue<string>());
    }
}
