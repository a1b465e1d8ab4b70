using System.Reflection;
using System.Text.Json.Nodes;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Core;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// The functions' IAM policy grants exactly what the code declares with [AwsAction] (found by
/// reflection, not a list kept here), and the mutating actions only on opted-in instances.
/// </summary>
public sealed class IamPolicyTests
{
    private sealed record Statement(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, JsonNode? Condition, string Policy);

    private static readonly Assembly[] CodeAssemblies =
        [typeof(AwsActionAttribute).Assembly, typeof(DynamoRemediationStore).Assembly, typeof(HandlerCatalog).Assembly];

    private static IReadOnlyList<AwsActionAttribute> DeclaredActions() => CodeAssemblies
        .SelectMany(a => a.GetTypes())
        .SelectMany(t => t.GetCustomAttributes<AwsActionAttribute>()
            .Concat(t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .SelectMany(m => m.GetCustomAttributes<AwsActionAttribute>())))
        .ToList();

    private static async Task<IReadOnlyList<Statement>> FunctionRoleStatementsAsync()
    {
        var template = await Template.LoadAsync();
        var statements = new List<Statement>();
        foreach (var policy in template.Resource("FunctionsRole")["Properties"]!["Policies"]!.AsArray())
        {
            var document = policy!["PolicyDocument"]!;
            if (document is JsonObject o && o["Fn::Sub"] is { } sub) document = JsonNode.Parse(template.Sub(sub.GetValue<string>()))!;
            foreach (var s in document["Statement"]!.AsArray())
                statements.Add(new Statement(Strings(s!["Action"]), Strings(s["Resource"], template), s["Condition"], policy["PolicyName"]!.GetValue<string>()));
        }
        return statements;
    }

    private static List<string> Strings(JsonNode? node, Template? template = null) => node switch
    {
        JsonArray a => a.SelectMany(n => Strings(n, template)).ToList(),
        JsonObject o when o["Fn::Sub"] is { } sub && template is not null => [template.Sub(sub.GetValue<string>())],
        JsonObject o => [o.ToJsonString()],
        null => [],
        _ => [node.GetValue<string>()],
    };

    [Fact]
    public void The_code_declares_its_aws_actions()
    {
        var declared = DeclaredActions().Select(a => a.Action).ToHashSet();
        // A sanity floor, not the comparison: the store, the sweep and the engine's ports all declare theirs.
        Assert.Contains("dynamodb:PutItem", declared);
        Assert.Contains("ec2:DescribeInstanceStatus", declared);
        Assert.Contains(DeclaredActions(), a => a.Mutating);
    }

    [Fact]
    public async Task The_functions_role_grants_exactly_the_declared_actions()
    {
        var template = await Template.LoadAsync();
        var statements = await FunctionRoleStatementsAsync();

        // Lambda itself (not our code) delivers intake's result to its EventBridge destination with this role.
        var destination = template.Resource("IntakeFunction")["Properties"]!["EventInvokeConfig"]!["DestinationConfig"]!["OnSuccess"]!;
        Assert.Equal("EventBridge", destination["Type"]!.GetValue<string>());
        var bus = template.Sub(destination["Destination"]!["Fn::Sub"]!.GetValue<string>());
        var platform = statements.Where(s => s.Actions.SequenceEqual(["events:PutEvents"]) && s.Resources.SequenceEqual([bus])).ToList();
        Assert.Single(platform);

        var granted = statements.Except(platform).SelectMany(s => s.Actions).ToHashSet();
        var declared = DeclaredActions().Select(a => a.Action).ToHashSet();
        Assert.True(declared.SetEquals(granted),
            $"Declared but not granted: {string.Join(", ", declared.Except(granted))}; granted but not declared: {string.Join(", ", granted.Except(declared))}");
    }

    [Fact]
    public async Task Mutating_actions_reach_instances_only_through_the_opt_in_tag()
    {
        var template = await Template.LoadAsync();
        var optInKey = template.ParameterDefault("OptInTagKey");
        var mutating = DeclaredActions().Where(a => a.Mutating).Select(a => a.Action).ToHashSet();
        var statements = await FunctionRoleStatementsAsync();

        foreach (var action in mutating)
        {
            var granting = statements.Where(s => s.Actions.Contains(action)).ToList();
            Assert.NotEmpty(granting);
            foreach (var statement in granting)
            {
                Assert.DoesNotContain("*", statement.Resources);
                var onInstances = statement.Resources.Any(r => r.Contains(":instance/", StringComparison.Ordinal));
                if (!onInstances)
                {
                    // The only other resources a mutating call may name: our own SSM documents, and for
                    // reregister-ami images and what a replacement launch uses (docs/instance-store.md).
                    Assert.All(statement.Resources, r => Assert.Matches(@"(:document/EnaRemediate-[A-Za-z]+|::(image|snapshot)/\*|:(subnet|security-group|network-interface|volume|key-pair)/\*)$", r));
                    continue;
                }
                var equals = statement.Condition?["StringEquals"]?.AsObject();
                Assert.NotNull(equals);
                // Rescue instances the stack launched (offline repair) are scoped by their own tag instead.
                var tagCondition = equals!.Single(c => c.Key.EndsWith("/" + optInKey, StringComparison.Ordinal) || c.Key.EndsWith("/EnaRemediate:Rescue", StringComparison.Ordinal));
                // aws:RequestTag: an instance that does not exist yet (the replacement) must be created with the tag.
                Assert.Matches("^(ec2:ResourceTag|ssm:resourceTag|aws:RequestTag)$", tagCondition.Key[..tagCondition.Key.LastIndexOf('/')]);
                Assert.Equal("true", tagCondition.Value!.GetValue<string>());
            }
        }
    }

    [Fact]
    public async Task Read_only_actions_are_not_granted_more_than_once_and_the_table_actions_target_the_table()
    {
        var statements = await FunctionRoleStatementsAsync();
        // Mutating actions may appear once per kind of resource they are limited to; read-only ones once.
        var mutating = DeclaredActions().Where(a => a.Mutating).Select(a => a.Action).ToHashSet();
        var readOnly = statements.SelectMany(s => s.Actions).Where(a => !mutating.Contains(a)).ToList();
        Assert.Equal(readOnly.Count, readOnly.Distinct().Count());
        var dynamo = statements.Single(s => s.Actions.Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal)));
        Assert.Equal(["""{"Fn::GetAtt":["RecordsTable","Arn"]}"""], dynamo.Resources);
    }
}
