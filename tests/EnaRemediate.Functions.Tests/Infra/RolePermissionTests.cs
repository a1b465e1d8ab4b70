using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// Each function's role grants exactly the [AwsAction]s its own code reaches (found in the IL, see
/// <see cref="AwsCallGraph"/>), plus what Lambda itself does with the role (logs, destinations),
/// plus the recovery routes' reserved actions on the executing role. What the grants may touch is
/// checked by a real IAM evaluator in <see cref="IamSimulatorTests"/>.
/// </summary>
public sealed class RolePermissionTests
{
    private static async Task<(ResolvedTemplate Template, IReadOnlyList<HandlerRole> Roles)> LoadAsync() =>
        (await ResolvedTemplate.LoadAsync(), await HandlerRole.LoadAsync());

    [Fact]
    public async Task Every_handler_runs_in_a_function_with_a_role_of_its_own()
    {
        var (_, roles) = await LoadAsync();
        Assert.Equal(EnaRemediate.Functions.Handlers.HandlerCatalog.Names.Order(), roles.Select(r => r.Handler).Order());
        Assert.Equal(roles.Count, roles.Select(r => r.RoleId).Distinct().Count());
    }

    [Fact]
    public async Task Each_role_grants_exactly_what_its_code_reaches_and_what_lambda_does_with_it()
    {
        var (template, roles) = await LoadAsync();
        var failures = new List<string>();
        foreach (var role in roles)
        {
            var statements = PolicyStatement.Of(template.RolePolicies(role.RoleId));
            var platform = PlatformGrants(template, role.FunctionId);
            foreach (var (action, resource) in platform)
            {
                if (!statements.Any(s => s.Allows && s.Actions.Contains(action) && s.Resources.SequenceEqual([resource])))
                    failures.Add($"{role.RoleId} lacks {action} on {resource}, which Lambda needs for {role.FunctionId}.");
            }
            var platformStatements = statements.Where(s => s.Resources.Count == 1 && s.Actions.All(a => platform.Contains((a, s.Resources[0])))).ToList();
            var granted = statements.Except(platformStatements).Where(s => s.Allows).SelectMany(s => s.Actions).ToHashSet();
            var expected = role.CodeActions.ToHashSet();
            if (role.Handler == RecoveryRoutePermissions.ExecutingHandler) expected.UnionWith(RecoveryRoutePermissions.Reserved);
            if (!expected.SetEquals(granted))
                failures.Add($"{role.RoleId} ({role.Handler}): code reaches but not granted: [{string.Join(", ", expected.Except(granted).Order())}]; granted but not reached: [{string.Join(", ", granted.Except(expected).Order())}]");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// The one exception to "only the executing role mutates": the inventory's auto-fix sends the
    /// driver install (docs/inventory.md), which its role limits to the install document on opted-in instances.
    /// </summary>
    private static readonly Dictionary<string, string[]> AllowedMutations = new() { ["inventory"] = ["ssm:SendCommand"] };

    [Fact]
    public async Task Only_the_executing_role_holds_a_mutating_action()
    {
        var (template, roles) = await LoadAsync();
        var mutating = HandlerRole.Declared().Where(a => a.Mutating).Select(a => a.Action).ToHashSet();
        mutating.UnionWith(RecoveryRoutePermissions.Reserved);
        foreach (var role in roles.Where(r => r.Handler != RecoveryRoutePermissions.ExecutingHandler))
        {
            var allowed = AllowedMutations.GetValueOrDefault(role.Handler) ?? [];
            Assert.Empty(role.MutatingActions.Except(allowed));
            var granted = PolicyStatement.Of(template.RolePolicies(role.RoleId)).Where(s => s.Allows).SelectMany(s => s.Actions);
            Assert.Empty(granted.Intersect(mutating).Except(allowed));
        }
        Assert.Contains("diagnose", roles.Select(r => r.Handler));
        Assert.Contains("intake", roles.Select(r => r.Handler));
    }

    [Fact]
    public void A_reserved_action_that_the_code_now_declares_leaves_the_reserved_list()
    {
        var declared = HandlerRole.Declared().Select(a => a.Action).ToHashSet();
        var nowDeclared = RecoveryRoutePermissions.Reserved.Where(declared.Contains).ToList();
        Assert.True(nowDeclared.Count == 0,
            $"[{string.Join(", ", nowDeclared)}] is declared by [AwsAction] now: remove it from RecoveryRoutePermissions.Reserved so the call graph decides which role gets it.");
    }

    [Fact]
    public async Task The_call_graph_finds_what_the_code_is_known_to_call()
    {
        // A floor against a graph walk that silently stops early: each handler reaches its own obvious calls.
        var roles = (await LoadAsync()).Roles.ToDictionary(r => r.Handler);
        Assert.Contains("ec2:DescribeInstances", roles["diagnose"].CodeActions);
        Assert.Contains("dynamodb:Scan", roles["sweep"].CodeActions);
        Assert.DoesNotContain("dynamodb:Scan", roles["intake"].CodeActions);
        Assert.Contains("ssm:SendCommand", roles["advance"].MutatingActions);
        Assert.Contains("ec2:RegisterImage", roles["advance"].MutatingActions);
        Assert.Contains("ec2:StopInstances", roles["advance"].MutatingActions);
        var withDryRun = new AwsCallGraph(HandlerRole.ProductAssemblies).Reach(typeof(Core.Engine.RemediationService).GetMethod(nameof(Core.Engine.RemediationService.StartAsync))!);
        Assert.Contains(withDryRun.Keys, m => m.Name == nameof(IEc2Port.StopInstancesAsync)); // the dry run's check, which the roles leave out on purpose
    }

    [Fact]
    public async Task Every_grant_on_instances_is_bound_to_the_opt_in_tag_the_stacks_own_tag_or_a_create_action()
    {
        var (template, roles) = await LoadAsync();
        var optInKey = template.Template.ParameterDefault("OptInTagKey");
        foreach (var role in roles)
        {
            foreach (var statement in PolicyStatement.Of(template.RolePolicies(role.RoleId)).Where(s => s.Allows && s.Resources.Any(r => r.Contains(":instance/", StringComparison.Ordinal))))
            {
                var conditions = statement.Conditions().ToList();
                var bound = conditions.Any(c => c.Operator == "StringEquals" && c.Key.EndsWith("/" + optInKey, StringComparison.Ordinal) && c.Values.SequenceEqual([TriageRules.OptInValue]))
                    || conditions.Any(c => c.Operator == "StringEquals" && c.Key.EndsWith("/EnaRemediate:LaunchedBy", StringComparison.Ordinal) && c.Values.SequenceEqual([ResolvedTemplate.StackName]))
                    || conditions.Any(c => c.Operator == "StringEquals" && c.Key == "ec2:CreateAction");
                Assert.True(bound, $"{role.RoleId} statement {statement.Sid} allows {string.Join(",", statement.Actions)} on instances without the opt-in tag, the stack's tag or a create action.");
            }
        }
    }

    [Fact]
    public async Task Table_actions_target_only_the_records_table()
    {
        var (template, roles) = await LoadAsync();
        var table = template.ArnOf("RecordsTable");
        foreach (var role in roles)
        {
            var dynamo = PolicyStatement.Of(template.RolePolicies(role.RoleId)).Where(s => s.Actions.Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal))).ToList();
            Assert.All(dynamo, s => Assert.Equal([table], s.Resources));
        }
    }

    /// <summary>What Lambda does with a function's role besides its code: write its logs, deliver its async results.</summary>
    private static HashSet<(string Action, string Resource)> PlatformGrants(ResolvedTemplate template, string functionId)
    {
        var properties = template.Template.Resource(functionId)["Properties"]!;
        var grants = new HashSet<(string, string)>();
        if (properties["LoggingConfig"]?["LogGroup"]?["Ref"]?.GetValue<string>() is { } logGroup)
        {
            grants.Add(("logs:CreateLogStream", template.ArnOf(logGroup)));
            grants.Add(("logs:PutLogEvents", template.ArnOf(logGroup)));
        }
        foreach (var destination in new[] { "OnSuccess", "OnFailure" })
        {
            if (properties["EventInvokeConfig"]?["DestinationConfig"]?[destination] is not { } config) continue;
            var target = template.Resolve(config["Destination"]!).GetValue<string>();
            grants.Add((config["Type"]!.GetValue<string>() switch
            {
                "EventBridge" => "events:PutEvents",
                "SQS" => "sqs:SendMessage",
                "SNS" => "sns:Publish",
                "Lambda" => "lambda:InvokeFunction",
                var other => throw new InvalidOperationException($"destination type {other}"),
            }, target));
        }
        return grants;
    }
}
