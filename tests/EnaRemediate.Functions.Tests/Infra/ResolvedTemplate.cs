using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// template.yaml's IAM policies as CloudFormation would deploy them with the parameter defaults, in
/// one example account: Ref, Fn::GetAtt, Fn::Sub (both forms; a policy written as a JSON string is
/// parsed after substitution), Fn::Join, Fn::If and the conditions the template uses. Physical ids
/// are invented per resource type, in the shapes AWS gives them, so an IAM evaluator can match them.
/// </summary>
public sealed partial class ResolvedTemplate(Template template)
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string StackName = "enaremediate";
    /// <summary>The command output bucket this example deployment names (the parameter's default is none).</summary>
    public const string CommandOutputBucket = "enaremediate-outputs-example";

    /// <summary>What the RescueImageId SSM parameter resolves to at deploy time, in this example.</summary>
    public const string RescueImageId = "ami-0a1b2c3d4e5f60718";
    /// <summary>What RescueImageIdArm64 resolves to.</summary>
    public const string RescueImageIdArm64 = "ami-0f1e2d3c4b5a69788";

    public Template Template { get; } = template;

    public static async Task<ResolvedTemplate> LoadAsync() => new(await Template.LoadAsync());

    /// <summary>Every inline policy document of a role, resolved.</summary>
    public IReadOnlyList<JsonNode> RolePolicies(string roleId) => Template.Resource(roleId)["Properties"]!["Policies"]!.AsArray()
        .Select(p => Resolve(p!["PolicyDocument"]!)).ToList();

    /// <summary>The role's physical ARN (what Fn::GetAtt Role.Arn gives).</summary>
    public string ArnOf(string logicalId) => Resolve(new JsonObject { ["Fn::GetAtt"] = new JsonArray(logicalId, "Arn") })!.GetValue<string>();

    public JsonNode Resolve(JsonNode node) => node switch
    {
        JsonObject o when o.Count == 1 && o.First() is var (key, value) && key is "Ref" or "Fn::GetAtt" or "Fn::Sub" or "Fn::Join" or "Fn::If" => Intrinsic(key, value!),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Resolve(p.Value!)))),
        JsonArray a => new JsonArray(a.Select(n => (JsonNode?)Resolve(n!)).ToArray()),
        _ => node.DeepClone(),
    };

    private JsonNode Intrinsic(string function, JsonNode argument) => function switch
    {
        "Ref" => Ref(argument.GetValue<string>()),
        "Fn::GetAtt" => JsonValue.Create(Attribute(argument[0]!.GetValue<string>(), argument[1]!.GetValue<string>()))!,
        "Fn::Join" => JsonValue.Create(string.Join(argument[0]!.GetValue<string>(), Strings(Resolve(argument[1]!))))!,
        "Fn::If" => Resolve(Condition(argument[0]!.GetValue<string>()) ? argument[1]! : argument[2]!),
        "Fn::Sub" => Sub(argument),
        _ => throw new InvalidOperationException(function),
    };

    private JsonNode Sub(JsonNode argument)
    {
        var (text, variables) = argument is JsonArray a ? (a[0]!.GetValue<string>(), a[1]!.AsObject()) : (argument.GetValue<string>(), new JsonObject());
        var result = SubVariable().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (variables[name] is { } v) return string.Join(",", Strings(Resolve(v)));
            return name.Contains('.') ? Attribute(name[..name.IndexOf('.')], name[(name.IndexOf('.') + 1)..]) : string.Join(",", Strings(Ref(name)));
        });
        // A policy document written as a JSON string (so tag keys can be substituted into condition keys).
        return result.TrimStart().StartsWith('{') ? JsonNode.Parse(result)! : JsonValue.Create(result)!;
    }

    private static IEnumerable<string> Strings(JsonNode node) => node is JsonArray a ? a.Select(n => n!.GetValue<string>()) : [node.GetValue<string>()];

    private JsonNode Ref(string name)
    {
        switch (name)
        {
            case "AWS::Partition": return "aws";
            case "AWS::Region": return Region;
            case "AWS::AccountId": return Account;
            case "AWS::StackName": return StackName;
        }
        if (Template.Root["Parameters"]?[name] is { } parameter)
        {
            var type = parameter["Type"]!.GetValue<string>();
            var value = Template.ParameterDefault(name);
            if (type == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>") return name == "RescueImageIdArm64" ? RescueImageIdArm64 : RescueImageId;
            if (name == "CommandOutputBucketName") return CommandOutputBucket;
            return type == "CommaDelimitedList" ? new JsonArray(value.Split(',').Select(v => (JsonNode?)v.Trim()).ToArray()) : value;
        }
        var resourceType = Template.Resource(name)["Type"]!.GetValue<string>();
        return resourceType switch
        {
            "AWS::SNS::Topic" => $"arn:aws:sns:{Region}:{Account}:{StackName}-{name}-EXAMPLE",
            "AWS::SQS::Queue" => $"https://sqs.{Region}.amazonaws.com/{Account}/{StackName}-{name}-EXAMPLE",
            "AWS::KMS::Key" => "1234abcd-12ab-34cd-56ef-1234567890ab",
            _ => $"{StackName}-{name}-EXAMPLE",
        };
    }

    private string Attribute(string id, string attribute)
    {
        var type = Template.Resource(id)["Type"]!.GetValue<string>();
        var name = $"{StackName}-{id}-EXAMPLE";
        return (type, attribute) switch
        {
            ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{Account}:role/{name}",
            ("AWS::IAM::InstanceProfile", "Arn") => $"arn:aws:iam::{Account}:instance-profile/{name}",
            ("AWS::DynamoDB::Table", "Arn") => $"arn:aws:dynamodb:{Region}:{Account}:table/{name}",
            ("AWS::Logs::LogGroup", "Arn") => $"arn:aws:logs:{Region}:{Account}:log-group:{name}:*",
            ("AWS::SQS::Queue", "Arn") => $"arn:aws:sqs:{Region}:{Account}:{name}",
            ("AWS::SQS::Queue", "QueueName") => name,
            ("AWS::Events::EventBus", "Arn") => $"arn:aws:events:{Region}:{Account}:event-bus/{StackName}-intake-results",
            ("AWS::KMS::Key", "Arn") => $"arn:aws:kms:{Region}:{Account}:key/{Ref(id)}",
            ("AWS::SNS::Topic", "TopicName") => $"{StackName}-{id}-EXAMPLE",
            ("AWS::Serverless::Function", "Arn") => $"arn:aws:lambda:{Region}:{Account}:function:{name}",
            _ => throw new InvalidOperationException($"No example value for {id}.{attribute} ({type}); add one to {nameof(ResolvedTemplate)}."),
        };
    }

    /// <summary>The template's conditions with the parameter defaults (Fn::Equals, Fn::Not).</summary>
    public bool Condition(string name) => Evaluate(Template.Root["Conditions"]![name]!);

    private bool Evaluate(JsonNode condition)
    {
        var (function, argument) = condition.AsObject().Single();
        return function switch
        {
            "Fn::Equals" => JsonNode.DeepEquals(Resolve(argument![0]!), Resolve(argument[1]!)),
            "Fn::Not" => !Evaluate(argument![0]!),
            "Condition" => Condition(argument!.GetValue<string>()),
            _ => throw new InvalidOperationException($"Condition function {function} is not evaluated in tests."),
        };
    }

    [GeneratedRegex(@"\$\{([^}!]+)\}")]
    private static partial Regex SubVariable();
}
