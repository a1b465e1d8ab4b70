using System.Reflection;
using Amazon.Runtime;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Core;
using EnaRemediate.Functions.Handlers;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>One function of template.yaml: its handler, its role, and the AWS actions its code reaches.</summary>
public sealed record HandlerRole(string Handler, string FunctionId, string RoleId, IReadOnlySet<string> CodeActions, IReadOnlySet<string> MutatingActions)
{
    public static readonly Assembly[] ProductAssemblies =
        [typeof(AwsActionAttribute).Assembly, typeof(DynamoRemediationStore).Assembly, typeof(HandlerCatalog).Assembly];

    /// <summary>Every [AwsAction] declared anywhere in the product code, reached or not.</summary>
    public static IReadOnlyList<AwsActionAttribute> Declared() => ProductAssemblies
        .SelectMany(a => a.GetTypes())
        .SelectMany(t => t.GetCustomAttributes<AwsActionAttribute>()
            .Concat(t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .SelectMany(m => m.GetCustomAttributes<AwsActionAttribute>())))
        .ToList();

    /// <summary>Each handler the catalog knows, matched to the template function that runs it.</summary>
    public static async Task<IReadOnlyList<HandlerRole>> LoadAsync()
    {
        var template = await Support.Template.LoadAsync();
        var graph = new AwsCallGraph(ProductAssemblies);
        var roles = new List<HandlerRole>();
        foreach (var (functionId, function) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var properties = function["Properties"]!;
            var handler = properties["Environment"]!["Variables"]![FunctionSettings.HandlerVariable]!.GetValue<string>();
            var roleId = properties["Role"]?["Fn::GetAtt"]?[0]?.GetValue<string>()
                ?? throw new InvalidOperationException($"{functionId} has no Role: !GetAtt <Role>.Arn of its own.");
            var handleAsync = Create(handler).GetType().GetMethod("HandleAsync")!;
            var reached = graph.Reach(handleAsync, RecoveryRoutePermissions.IsNotGranted).SelectMany(r => r.Value).ToList();
            roles.Add(new HandlerRole(handler, functionId, roleId,
                reached.Select(a => a.Action).ToHashSet(StringComparer.Ordinal),
                reached.Where(a => a.Mutating).Select(a => a.Action).ToHashSet(StringComparer.Ordinal)));
        }
        return roles;
    }

    /// <summary>The handler exactly as the function builds it at init (no AWS call is made).</summary>
    private static object Create(string handler)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = ResolvedTemplate.Region,
            [FunctionSettings.HandlerVariable] = handler,
            [FunctionSettings.TableVariable] = "records",
        };
        var settings = FunctionSettings.From(n => environment.GetValueOrDefault(n));
        return HandlerCatalog.Create(new FunctionServices(settings, TimeProvider.System, new BasicAWSCredentials("test", "test")));
    }
}
