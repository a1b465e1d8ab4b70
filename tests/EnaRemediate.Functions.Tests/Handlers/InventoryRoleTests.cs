using System.Reflection;
using System.Text.Json.Nodes;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Readiness;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// The inventory function's own role grants what its code path declares with [AwsAction] and no
/// more: read-only calls anywhere, SendCommand only to opted-in instances, the install document
/// only when the deployment turned auto-fix on.
/// </summary>
public sealed class InventoryRoleTests
{
    /// <summary>Every port method the inventory handler calls (FleetInventory, ReadinessFixer, the stores).</summary>
    private static readonly (Type Type, string Method)[] CalledMethods =
    [
        (typeof(IFleetPort), nameof(IFleetPort.FindInstancesAsync)),
        (typeof(IFleetPort), nameof(IFleetPort.ListRecentInvocationsAsync)),
        (typeof(IEc2Port), nameof(IEc2Port.DescribeInstancesAsync)),
        (typeof(IEc2Port), nameof(IEc2Port.DescribeTypeEnaSupportAsync)),
        (typeof(IEc2Port), nameof(IEc2Port.DescribeInstanceStatusAsync)),
        (typeof(ISsmPort), nameof(ISsmPort.DescribePingStatusAsync)),
        (typeof(ISsmPort), nameof(ISsmPort.SendCommandAsync)),
        (typeof(ISsmPort), nameof(ISsmPort.ListInvocationStatusesAsync)),
        (typeof(ISsmPort), nameof(ISsmPort.GetCommandInvocationAsync)),
        (typeof(IInventoryStore), nameof(IInventoryStore.SaveAsync)),
        (typeof(Aws.Dynamo.DynamoRemediationStore), nameof(IRemediationStore.GetLatestAsync)),
    ];

    private static HashSet<string> Declared() => CalledMethods
        .SelectMany(c => c.Type.GetMethod(c.Method)!.GetCustomAttributes<AwsActionAttribute>())
        .Select(a => a.Action).ToHashSet();

    /// <summary>The role's statements with the auto-fix condition resolved one way or the other.</summary>
    private static async Task<List<JsonNode>> StatementsAsync(bool autoFix)
    {
        var template = await Template.LoadAsync();
        var statements = new List<JsonNode>();
        foreach (var policy in template.Resource("InventoryRole")["Properties"]!["Policies"]!.AsArray())
        {
            var document = policy!["PolicyDocument"]!;
            if (document is JsonObject { } o && o["Fn::Sub"] is JsonArray sub)
            {
                var branches = sub[1]!["Documents"]!["Fn::If"]!.AsArray();
                Assert.Equal("InventoryAutoFixOn", branches[0]!.GetValue<string>());
                var documents = template.Sub(branches[autoFix ? 1 : 2]!["Fn::Sub"]!.GetValue<string>());
                document = JsonNode.Parse(template.Sub(sub[0]!.GetValue<string>().Replace("${Documents}", documents, StringComparison.Ordinal)))!;
            }
            statements.AddRange(document["Statement"]!.AsArray().Select(s => s!));
        }
        return statements;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(n => n!.ToString()),
        null => [],
        _ => [node.ToString()],
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_role_grants_exactly_the_inventorys_declared_actions(bool autoFix)
    {
        var granted = (await StatementsAsync(autoFix)).SelectMany(s => Strings(s["Action"])).ToHashSet();
        var declared = Declared();
        Assert.True(declared.SetEquals(granted), $"declared {string.Join(",", declared.Order())}; granted {string.Join(",", granted.Order())}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendCommand_reaches_only_opted_in_instances_and_the_install_document_only_with_auto_fix(bool autoFix)
    {
        var template = await Template.LoadAsync();
        var optIn = template.ParameterDefault("OptInTagKey");
        var sends = (await StatementsAsync(autoFix)).Where(s => Strings(s["Action"]).Contains("ssm:SendCommand")).ToList();

        var onInstances = Assert.Single(sends, s => Strings(s["Resource"]).Any(r => r.Contains(":instance/", StringComparison.Ordinal)));
        Assert.Equal("true", onInstances["Condition"]!["StringEquals"]![$"ssm:resourceTag/{optIn}"]!.GetValue<string>());
        var documents = sends.Except([onInstances]).SelectMany(s => Strings(s["Resource"])).Select(r => r[(r.LastIndexOf('/') + 1)..]).Order().ToList();
        Assert.Equal(autoFix ? ["EnaRemediate-CollectHostReport", "EnaRemediate-InstallDriver"] : ["EnaRemediate-CollectHostReport"], documents);
        // Only reads go to every resource (Describe*, command status: no resource-level permissions exist).
        var everywhere = (await StatementsAsync(autoFix)).Where(s => Strings(s["Resource"]).Contains("*")).SelectMany(s => Strings(s["Action"]));
        Assert.All(everywhere, a => Assert.Matches(@"^(ec2|ssm):(Describe|Get|List)", a));
    }

    [Fact]
    public async Task The_function_uses_its_own_role_and_the_workflow_may_invoke_it()
    {
        var template = await Template.LoadAsync();
        Assert.Equal("""{"Fn::GetAtt":["InventoryRole","Arn"]}""", template.Resource("InventoryFunction")["Properties"]!["Role"]!.ToJsonString());
        var schedule = template.Resource("InventorySchedule")["Properties"]!["Target"]!;
        Assert.Equal("""{"Ref":"RemediationStateMachine"}""", schedule["Arn"]!.ToJsonString());
        Assert.Equal("inventory", JsonNode.Parse(schedule["Input"]!.GetValue<string>())!["mode"]!.GetValue<string>());
        var association = template.Resource("CollectHostReportAssociation")["Properties"]!;
        Assert.Equal("""{"Ref":"CollectHostReportDocument"}""", association["Name"]!.ToJsonString());
        Assert.Equal(["true"], association["Targets"]![0]!["Values"]!.AsArray().Select(v => v!.GetValue<string>()));
    }
}
