using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// CloudFormation needs the SSM Command documents inline, so template.yaml carries a copy of the
/// driver bundle's generated documents; this keeps the copy equal to driver/documents
/// (refresh it with <c>node tools/node/embed-documents.js</c>).
/// </summary>
public sealed class DriverDocumentsInTemplateTests
{
    [Theory]
    [InlineData("InstallDriverDocument", "EnaRemediate-InstallDriver")]
    [InlineData("CollectHostReportDocument", "EnaRemediate-CollectHostReport")]
    [InlineData("OfflineRepairDocument", "EnaRemediate-OfflineRepair")]
    [InlineData("RebundleInstanceDocument", "EnaRemediate-RebundleInstance")]
    public async Task The_template_carries_the_generated_document_unchanged(string logicalId, string name)
    {
        var resource = (await Template.LoadAsync()).Resource(logicalId)["Properties"]!;
        Assert.Equal(name, resource["Name"]!.GetValue<string>());
        Assert.Equal("Command", resource["DocumentType"]!.GetValue<string>());
        var generated = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "driver", "documents", name + ".json")))!;
        Assert.True(JsonNode.DeepEquals(generated, resource["Content"]),
            $"template.yaml's {logicalId} differs from driver/documents/{name}.json: run `node tools/node/embed-documents.js`.");
    }

    [Fact]
    public async Task The_engine_sends_only_documents_the_template_creates()
    {
        var template = await Template.LoadAsync();
        var created = template.ResourcesOfType("AWS::SSM::Document").Select(d => d.Resource["Properties"]!["Name"]!.GetValue<string>()).ToHashSet();
        var options = new Core.Engine.EngineOptions();
        Assert.Contains(options.InstallDocument, created);
        Assert.Contains(options.CollectDocument, created);
        Assert.Contains(Core.Plans.ReregisterAmi.RebundleStep.DocumentName, created);
    }
}
