using System.Reflection;
using System.Text.Json.Nodes;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Readiness;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// The inventory function's own role grants what its code path declares with [AwsAction] and no
/// more, none of it mutating; the only thing in the inventory block that changes instances is the
/// optional auto-fix association, run by State Manager on opted-in instances.
/// </summary>
public sealed class InventoryRoleTests
{
    /// <summary>Every port method the inventory handler calls (FleetInventory, LatestCollectRuns, the store).</summary>
    private static readonly (Type Type, string Method)[] CalledMethods =
    [
        (typeof(IFleetPort), nameof(IFleetPort.FindInstancesAsync)),
        (typeof(IFleetPort), nameof(IFleetPort.ListRecentInvocationsAsync)),
        (typeof(IEc2Port), nameof(IEc2Port.DescribeInstancesAsync)),
        (typeof(IEc2Port), nameof(IEc2Port.DescribeTypeEnaSupportAsync)),
        (typeof(IEc2Port), nameof(IEc2Port.DescribeInstanceStatusAsync)),
        (typeof(ISsmPort), nameof(ISsmPort.DescribePingStatusAsync)),
        (typeof(ISsmPort), nameof(ISsmPort.GetCommandInvocationAsync)),
        (typeof(IInventoryStore), nameof(IInventoryStore.SaveAsync)),
    ];

    private static List<AwsActionAttribute> Declared() => CalledMethods
        .SelectMany(c => c.Type.GetMethod(c.Method)!.GetCustomAttributes<AwsActionAttribute>()).ToList();

    private static async Task<List<JsonNode>> StatementsAsync()
    {
        var template = await Template.LoadAsync();
        return template.Resource("InventoryRole")["Properties"]!["Policies"]!.AsArray()
            .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!)).ToList();
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(n => n!.ToString()),
        null => [],
        _ => [node.ToString()],
    };

    [Fact]
    public async Task The_role_grants_exactly_the_inventorys_declared_actions_and_none_mutates()
    {
        var statements = await StatementsAsync();
        // logs:* is Lambda's own logging with the role (the platform's call, not the code's).
        var granted = statements.SelectMany(s => Strings(s["Action"])).Where(a => !a.StartsWith("logs:", StringComparison.Ordinal)).ToHashSet();
        var declared = Declared().Select(a => a.Action).ToHashSet();

        Assert.True(declared.SetEquals(granted), $"declared {string.Join(",", declared.Order())}; granted {string.Join(",", granted.Order())}");
        Assert.DoesNotContain(Declared(), a => a.Mutating);
        // Only reads go to every resource (Describe*, command status: no resource-level permissions exist).
        var everywhere = statements.Where(s => Strings(s["Resource"]).Contains("*")).SelectMany(s => Strings(s["Action"]));
        Assert.All(everywhere, a => Assert.Matches(@"^(ec2|ssm):(Describe|Get|List)", a));
        var table = Assert.Single(statements, s => Strings(s["Action"]).Contains("dynamodb:PutItem"));
        Assert.Equal("""{"Fn::GetAtt":["RecordsTable","Arn"]}""", table["Resource"]!.ToJsonString());
    }

    [Fact]
    public async Task The_function_uses_its_own_role_runs_from_the_workflow_and_reads_the_daily_association()
    {
        var template = await Template.LoadAsync();
        Assert.Equal("""{"Fn::GetAtt":["InventoryRole","Arn"]}""", template.Resource("InventoryFunction")["Properties"]!["Role"]!.ToJsonString());
        var schedule = template.Resource("InventorySchedule")["Properties"]!["Target"]!;
        Assert.Equal("""{"Ref":"RemediationStateMachine"}""", schedule["Arn"]!.ToJsonString());
        Assert.Equal("inventory", JsonNode.Parse(schedule["Input"]!.GetValue<string>())!["mode"]!.GetValue<string>());
        var association = template.Resource("CollectHostReportAssociation")["Properties"]!;
        Assert.Equal("""{"Ref":"CollectHostReportDocument"}""", association["Name"]!.ToJsonString());
        Assert.Equal("""{"Fn::Sub":"tag:${OptInTagKey}"}""", association["Targets"]![0]!["Key"]!.ToJsonString());
        Assert.Equal(["true"], association["Targets"]![0]!["Values"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Auto_fix_is_an_opt_in_association_of_the_install_document_on_opted_in_instances_with_the_pinned_digest()
    {
        var template = await Template.LoadAsync();
        var fix = template.Resource("InventoryAutoFixAssociation");
        Assert.Equal("InventoryAutoFixOn", fix["Condition"]!.GetValue<string>());
        Assert.Equal("false", template.ParameterDefault("InventoryAutoFix"));
        var condition = template.Root["Conditions"]!["InventoryAutoFixOn"]!.ToJsonString();
        Assert.Contains("InventoryAutoFix", condition);
        Assert.Contains("DriverArchiveSha256", condition); // never without a digest the host can verify
        var properties = fix["Properties"]!;
        Assert.Equal("""{"Ref":"InstallDriverDocument"}""", properties["Name"]!.ToJsonString());
        Assert.Equal("""{"Fn::Sub":"tag:${OptInTagKey}"}""", properties["Targets"]![0]!["Key"]!.ToJsonString());
        Assert.Equal("""[{"Ref":"DriverArchiveSha256"}]""", properties["Parameters"]!["Sha256"]!.ToJsonString());
    }
}
