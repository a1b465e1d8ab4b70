using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Tests.Support;
using Xunit.Abstractions;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>template.yaml: valid SAM, and every name in it points at something real in the code.</summary>
public sealed class TemplateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_template_is_valid_against_the_SAM_schema()
    {
        if (RepoPaths.Shared is not { } shared)
        {
            output.WriteLine("shared/ is not beside or above the repository, so sam.schema.json is absent: the schema check did not run; checking that yaml-cfn parses the template instead.");
            var parsed = await NodeTool.CfnJsonAsync(Template.Path);
            Assert.Equal("AWS::Serverless-2016-10-31", parsed["Transform"]!.GetValue<string>());
            return;
        }
        var schema = Path.Combine(shared, "schemas", "sam.schema.json");
        var verdict = await NodeTool.ValidateAsync("sam", Template.Path, schema);
        Assert.True(verdict.Valid, verdict.ToString());
    }

    [Fact]
    public async Task The_schema_check_catches_a_broken_template()
    {
        if (RepoPaths.Shared is not { } shared)
        {
            output.WriteLine("shared/ is absent: no SAM schema to check a broken template against.");
            return;
        }
        var broken = Path.Combine(Path.GetTempPath(), $"broken-template-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(Template.Path)).Replace("    Runtime: dotnet10\n", "    Runtime: dotnet10\n    Handlr: typo\n"));
        try
        {
            var verdict = await NodeTool.ValidateAsync("sam", broken, Path.Combine(shared, "schemas", "sam.schema.json"));
            Assert.False(verdict.Valid);
        }
        finally { File.Delete(broken); }
    }

    [Fact]
    public async Task Functions_run_the_executable_assembly_on_dotnet10()
    {
        var template = await Template.LoadAsync();
        var globals = template.Root["Globals"]!["Function"]!;
        Assert.Equal("dotnet10", globals["Runtime"]!.GetValue<string>());
        var handler = globals["Handler"]!.GetValue<string>();
        Assert.DoesNotContain("::", handler);
        Assert.Equal(typeof(HandlerCatalog).Assembly.GetName().Name, handler);
        Assert.All(template.ResourcesOfType("AWS::Serverless::Function"), f => Assert.Null(f.Resource["Properties"]!["Handler"]));
    }

    [Fact]
    public async Task Every_function_names_a_real_handler_and_only_known_variables()
    {
        var template = await Template.LoadAsync();
        var globalVariables = template.Root["Globals"]!["Function"]!["Environment"]!["Variables"]!.AsObject();
        var used = new List<string>();
        foreach (var (id, function) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var variables = function["Properties"]!["Environment"]!["Variables"]!.AsObject();
            var names = globalVariables.Select(v => v.Key).Concat(variables.Select(v => v.Key)).ToList();
            Assert.All(names, n => Assert.True(FunctionSettings.KnownVariables.Contains(n), $"{id} sets {n}, which no code reads."));
            var handler = variables[FunctionSettings.HandlerVariable]!.GetValue<string>();
            Assert.Contains(handler, HandlerCatalog.Names);
            used.Add(handler);

            // Build the handler exactly as the function would at init, with the template's values (no AWS call happens here).
            var environment = new Dictionary<string, string?>
            {
                ["AWS_REGION"] = "us-east-1",
                [FunctionSettings.HandlerVariable] = handler,
                [FunctionSettings.TableVariable] = "records",
                [FunctionSettings.DefaultModeVariable] = template.ParameterDefault("DefaultMode"),
                [FunctionSettings.OptInTagVariable] = template.ParameterDefault("OptInTagKey"),
                [FunctionSettings.RetentionDaysVariable] = template.ParameterDefault("RecordRetentionDays"),
            };
            var settings = FunctionSettings.From(n => environment.GetValueOrDefault(n));
            Assert.NotNull(HandlerCatalog.Create(new FunctionServices(settings, TimeProvider.System, new BasicAWSCredentials("test", "test"))));
        }
        Assert.Equal(HandlerCatalog.Names.Order(), used.Order());
    }

    [Fact]
    public void An_unknown_handler_name_is_a_configuration_error()
    {
        var settings = FunctionSettings.From(n => n switch
        {
            "AWS_REGION" => "us-east-1",
            FunctionSettings.HandlerVariable => "repair-everything",
            FunctionSettings.TableVariable => "records",
            _ => null,
        });
        var error = Assert.Throws<ConfigurationException>(() => HandlerCatalog.Create(new FunctionServices(settings, TimeProvider.System, new BasicAWSCredentials("test", "test"))));
        Assert.Contains("intake", error.Message);
    }

    [Fact]
    public async Task The_table_matches_the_store_layout_and_expires_finished_records()
    {
        var table = (await Template.LoadAsync()).Resource("RecordsTable")["Properties"]!;
        Assert.Equal(
            [(DynamoTableLayout.PartitionKey, "HASH"), (DynamoTableLayout.SortKey, "RANGE")],
            table["KeySchema"]!.AsArray().Select(k => (k!["AttributeName"]!.GetValue<string>(), k["KeyType"]!.GetValue<string>())));
        Assert.Equal(DynamoTableLayout.TtlAttribute, table["TimeToLiveSpecification"]!["AttributeName"]!.GetValue<string>());
        Assert.True(table["TimeToLiveSpecification"]!["Enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_state_machine_substitutions_match_the_definition()
    {
        var template = await Template.LoadAsync();
        var machine = template.Resource("RemediationStateMachine")["Properties"]!;
        var definition = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, machine["DefinitionUri"]!.GetValue<string>()));
        var placeholders = Regex.Matches(definition, @"\$\{(\w+)\}").Select(m => m.Groups[1].Value).ToHashSet();
        var substitutions = machine["DefinitionSubstitutions"]!.AsObject().Select(s => s.Key).ToHashSet();
        Assert.True(placeholders.SetEquals(substitutions), $"in ASL: {string.Join(",", placeholders)}; substituted: {string.Join(",", substitutions)}");
    }

    [Fact]
    public async Task The_state_machine_may_call_exactly_what_its_tasks_call()
    {
        var template = await Template.LoadAsync();
        var machine = template.Resource("RemediationStateMachine")["Properties"]!;
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, machine["DefinitionUri"]!.GetValue<string>())))!;
        var substitutions = machine["DefinitionSubstitutions"]!.AsObject();

        var needed = new HashSet<string>();
        foreach (var state in AllStates(definition))
        {
            if (state["Type"]!.GetValue<string>() != "Task") continue;
            var resource = state["Resource"]!.GetValue<string>();
            needed.Add(resource switch
            {
                "arn:aws:states:::lambda:invoke" => "LambdaInvokePolicy:" + FunctionOf(state["Parameters"]!["FunctionName"]!.GetValue<string>()),
                "arn:aws:states:::sns:publish" => "SNSPublishMessagePolicy",
                "arn:aws:states:::events:putEvents" => "EventBridgePutEventsPolicy",
                _ => throw new InvalidOperationException($"Task resource {resource} has no policy mapping in this test."),
            });
        }
        // An encrypted topic also needs its key: a raw statement granting exactly that, to the topic's key.
        if (needed.Contains("SNSPublishMessagePolicy")) needed.Add("kms:GenerateDataKey,kms:Decrypt:TopicKey");
        var granted = machine["Policies"]!.AsArray().Select(p =>
        {
            var (name, body) = p!.AsObject().Single();
            return name switch
            {
                "LambdaInvokePolicy" => name + ":" + body!["FunctionName"]!["Ref"]!.GetValue<string>(),
                "Statement" => string.Join(",", body!.AsArray().Single()!["Action"]!.AsArray().Select(a => a!.GetValue<string>())) + ":" + body[0]!["Resource"]!["Fn::GetAtt"]![0]!.GetValue<string>(),
                _ => name,
            };
        }).ToHashSet();
        var topicKey = template.Resource("NotificationTopic")["Properties"]!["KmsMasterKeyId"]!["Ref"]!.GetValue<string>();
        Assert.Equal("TopicKey", topicKey);
        Assert.True(needed.SetEquals(granted), $"needed {string.Join(",", needed)}; granted {string.Join(",", granted)}");

        string FunctionOf(string placeholder) =>
            substitutions[placeholder.Trim('$', '{', '}')]!["Fn::GetAtt"]![0]!.GetValue<string>();
    }

    /// <summary>Every state, those of a Map's ItemProcessor (its child executions) too.</summary>
    private static IEnumerable<JsonNode> AllStates(JsonNode machine) =>
        machine["States"]!.AsObject().SelectMany(s => s.Value!["ItemProcessor"] is { } processor ? AllStates(processor).Prepend(s.Value) : [s.Value!]);

    [Fact]
    public async Task A_distributed_map_may_start_and_follow_child_executions_of_its_own_machine_only()
    {
        var template = await Template.LoadAsync();
        var machine = template.Resource("RemediationStateMachine")["Properties"]!;
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, machine["DefinitionUri"]!.GetValue<string>())))!;
        var map = Assert.Single(AllStates(definition), s => s["Type"]!.GetValue<string>() == "Map");
        Assert.Equal("DISTRIBUTED", map["ItemProcessor"]!["ProcessorConfig"]!["Mode"]!.GetValue<string>());

        var policy = template.Resource("FanOutPolicy")["Properties"]!;
        Assert.Equal("""[{"Ref":"RemediationStateMachineRole"}]""", policy["Roles"]!.ToJsonString());
        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!).ToList();
        Assert.All(statements, s => Assert.Equal("Allow", s["Effect"]!.GetValue<string>()));
        var start = Assert.Single(statements, s => s["Action"]!.ToJsonString() == "\"states:StartExecution\"");
        Assert.Equal("""{"Ref":"RemediationStateMachine"}""", start["Resource"]!.ToJsonString());
        var follow = Assert.Single(statements, s => s != start);
        Assert.Equal("""["states:DescribeExecution","states:StopExecution"]""", follow["Action"]!.ToJsonString());
        Assert.Equal("""{"Fn::Sub":"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${RemediationStateMachine.Name}/*"}""", follow["Resource"]!.ToJsonString());
    }

    [Fact]
    public async Task The_fan_outs_batches_fit_one_Advance_and_its_whole_input_fits_the_sweeps_limit()
    {
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "statemachine", "remediation.asl.json")))!;
        var map = definition["States"]!["FanOut"]!;
        var batch = map["ItemBatcher"]!["MaxItemsPerBatch"]!.GetValue<int>();
        Assert.InRange(batch, 1, AdvanceHandler.MaxPerStep);
        Assert.Equal("$.remediationIds", map["ItemsPath"]!.GetValue<string>());
        // The sweep's largest workflow, as ids: a state under 256 KiB with room for the rest of the input.
        var ids = new JsonArray(Enumerable.Range(0, SweepHandler.MaxPerWorkflow).Select(i => (JsonNode)$"i-{i:x17}-20261127T030000-0123abcd").ToArray());
        Assert.True(new JsonObject { ["remediationIds"] = ids }.ToJsonString().Length < LocalStateMachine.MaxStateBytes * 0.9);
    }

    [Fact]
    public async Task The_status_check_rule_matches_the_alarms_intake_accepts()
    {
        var template = await Template.LoadAsync();
        var pattern = template.Resource("RemediationStateMachine")["Properties"]!["Events"]!["StatusCheckAlarm"]!["Properties"]!["Pattern"]!;
        Assert.Equal(["ALARM"], pattern["detail"]!["state"]!["value"]!.AsArray().Select(v => v!.GetValue<string>()));
        var names = pattern["detail"]!["configuration"]!["metrics"]!["metricStat"]!["metric"]!["name"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        var normaliser = new EnaRemediate.Functions.Intake.TriggerNormaliser(Core.Engine.RemediationMode.Diagnose);
        foreach (var name in names)
        {
            var evt = Fixtures.Event("eventbridge-instance-check-alarm.json").Replace("StatusCheckFailed_Instance", name);
            Assert.Equal(EnaRemediate.Functions.Intake.IntakeOutcome.Accepted, normaliser.Normalise(evt).Outcome);
        }
    }

    [Fact]
    public async Task The_runbook_in_the_template_is_the_runbook_in_infra()
    {
        var template = await Template.LoadAsync();
        var resource = template.Resource("RecoverRunbook")["Properties"]!;
        Assert.Equal("EnaRemediate-Recover", resource["Name"]!.GetValue<string>());
        Assert.Equal("Automation", resource["DocumentType"]!.GetValue<string>());
        var inTemplate = resource["Content"]!.DeepClone();
        var parameters = inTemplate["parameters"]!;
        // The only differences allowed: the template fills the two defaults with its own role and state machine.
        Assert.Equal("""{"Fn::GetAtt":["AutomationRole","Arn"]}""", parameters["AutomationAssumeRole"]!["default"]!.ToJsonString());
        Assert.Equal("""{"Ref":"RemediationStateMachine"}""", parameters["StateMachineArn"]!["default"]!.ToJsonString());
        parameters["AutomationAssumeRole"]!["default"] = "";
        parameters["StateMachineArn"]!["default"] = "";
        var inInfra = await NodeTool.CfnJsonAsync(Path.Combine(RepoPaths.Root, "infra", "runbooks", "EnaRemediate-Recover.yaml"));
        Assert.True(JsonNode.DeepEquals(inInfra, inTemplate), "template.yaml's RecoverRunbook content differs from infra/runbooks/EnaRemediate-Recover.yaml");
    }

    [Fact]
    public async Task The_runbooks_InstanceIds_take_up_to_one_workflows_records_and_say_what_SSM_itself_allows()
    {
        var runbook = await NodeTool.CfnJsonAsync(Path.Combine(RepoPaths.Root, "infra", "runbooks", "EnaRemediate-Recover.yaml"));
        var parameter = runbook["parameters"]!["InstanceIds"]!;
        var pattern = new System.Text.RegularExpressions.Regex(parameter["allowedPattern"]!.GetValue<string>());
        string Ids(int n) => string.Join(", ", Enumerable.Range(0, n).Select(i => $"i-{i:x17}"));
        Assert.Matches(pattern, Ids(EnaRemediate.Functions.Intake.InstanceIds.MaxPerRequest));
        Assert.DoesNotMatch(pattern, Ids(EnaRemediate.Functions.Intake.InstanceIds.MaxPerRequest + 1));
        Assert.DoesNotMatch(pattern, "i-0123456789abcdef0,i-0123456789abcdef0$(reboot)");
        // StartAutomationExecution takes at most 512 characters per parameter value (the SSM API's AutomationParameterValue).
        Assert.Contains("512 characters", parameter["description"]!.GetValue<string>());
        Assert.Contains("start the state machine with the same input", parameter["description"]!.GetValue<string>());
    }
}
