using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Infra;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// The inventory function's own role: what its code reaches (the IL call graph, <see cref="HandlerRole"/>)
/// and no more; its one mutating action is the auto-fix's SendCommand, which IAM limits to the
/// install document on opted-in instances. No association installs anything on its own.
/// </summary>
public sealed class InventoryRoleTests
{
    private static async Task<(ResolvedTemplate Template, IReadOnlyList<PolicyStatement> Statements, HandlerRole Role)> LoadAsync()
    {
        var template = await ResolvedTemplate.LoadAsync();
        var role = (await HandlerRole.LoadAsync()).Single(r => r.Handler == "inventory");
        return (template, PolicyStatement.Of(template.RolePolicies(role.RoleId)), role);
    }

    [Fact]
    public async Task The_code_reaches_one_mutating_action_the_install_command_and_reads_the_records_lock()
    {
        var (_, _, role) = await LoadAsync();
        Assert.Equal(["ssm:SendCommand"], role.MutatingActions);
        // The auto-fix leaves alone an instance a remediation holds: the records table's latest record.
        Assert.Contains("dynamodb:Query", role.CodeActions);
        Assert.Contains("ec2:DescribeInstances", role.CodeActions);
        // Of S3 it only reads the outputs SSM cut (the association's and the auto-fix's), never writes.
        Assert.Equal(["s3:GetObject"], role.CodeActions.Where(a => a.StartsWith("s3:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task S3_is_readable_only_under_the_output_prefix_of_the_deployments_bucket()
    {
        var (template, statements, _) = await LoadAsync();
        var read = Assert.Single(statements, s => s.Allows && s.Actions.Any(a => a.StartsWith("s3:", StringComparison.Ordinal)));
        Assert.Equal(["s3:GetObject"], read.Actions);
        Assert.Equal([$"arn:aws:s3:::{ResolvedTemplate.CommandOutputBucket}/enaremediate/command-output/*"], read.Resources);
        var location = template.Template.Resource("CollectHostReportAssociation")["Properties"]!["OutputLocation"]!.ToJsonString();
        Assert.Contains("HasCommandOutputBucket", location);
        Assert.Contains("enaremediate/command-output", location);
    }

    [Fact]
    public async Task Send_command_is_granted_only_for_the_install_document_on_opted_in_instances()
    {
        var (template, statements, _) = await LoadAsync();
        var send = statements.Where(s => s.Allows && s.Actions.Contains("ssm:SendCommand")).ToList();
        Assert.Equal(2, send.Count);
        var instances = Assert.Single(send, s => s.Resources.Single().Contains(":instance/", StringComparison.Ordinal));
        var condition = Assert.Single(instances.Conditions());
        Assert.Equal(("StringEquals", "ssm:resourceTag/" + template.Template.ParameterDefault("OptInTagKey"), "true"), (condition.Operator, condition.Key, condition.Values.Single()));
        var document = Assert.Single(send, s => s.Resources.Single().Contains(":document/", StringComparison.Ordinal));
        Assert.EndsWith(":document/EnaRemediate-InstallDriver", document.Resources.Single());
        // Everything else granted everywhere is a read.
        Assert.All(statements.Where(s => s.Resources.Contains("*")).SelectMany(s => s.Actions), a => Assert.Matches(@"^(ec2|ssm):(Describe|Get|List)", a));
        var table = Assert.Single(statements, s => s.Actions.Contains("dynamodb:PutItem"));
        Assert.Equal([template.ArnOf("RecordsTable")], table.Resources);
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
    public async Task Auto_fix_is_the_functions_setting_off_by_default_never_without_a_digest_and_no_association_installs()
    {
        var template = await Template.LoadAsync();
        Assert.Equal("false", template.ParameterDefault("InventoryAutoFix"));
        var condition = template.Root["Conditions"]!["InventoryAutoFixOn"]!.ToJsonString();
        Assert.Contains("InventoryAutoFix", condition);
        Assert.Contains("DriverArchiveSha256", condition); // never without a digest the host can verify
        var variables = template.Resource("InventoryFunction")["Properties"]!["Environment"]!["Variables"]!;
        Assert.Equal("""{"Fn::If":["InventoryAutoFixOn","true","false"]}""", variables["ENAREMEDIATE_INVENTORY_AUTO_FIX"]!.ToJsonString());
        Assert.Equal("""{"Ref":"CommandOutputBucketName"}""", variables["ENAREMEDIATE_OUTPUT_BUCKET"]!.ToJsonString());
        // The blanket daily install on every opted-in instance is gone: only the collect association is left.
        var associations = template.ResourcesOfType("AWS::SSM::Association").ToList();
        Assert.Equal(["CollectHostReportAssociation"], associations.Select(a => a.Id));
    }
}
