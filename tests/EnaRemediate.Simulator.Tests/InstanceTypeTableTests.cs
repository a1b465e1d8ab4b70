using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using EnaRemediate.Simulator.World;
using InstanceTypeInfo = EnaRemediate.Simulator.World.InstanceTypeInfo;
using Xunit.Abstractions;

namespace EnaRemediate.Simulator.Tests;

/// <summary>The simulator's own instance-type table against FACTS.md §1 and, where present, the reference dump.</summary>
public sealed class InstanceTypeTableTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("r4.large", "supported", "xen")]
    [InlineData("m4.16xlarge", "supported", "xen")]
    [InlineData("m4.10xlarge", "unsupported", "xen")]
    [InlineData("t2.micro", "unsupported", "xen")]
    [InlineData("m5.large", "required", "nitro")]
    [InlineData("c7g.xlarge", "required", "nitro")]
    public void Families_and_their_exceptions_answer_as_FACTS_says(string type, string ena, string hypervisor)
    {
        var info = InstanceTypeTable.Get(type);
        Assert.Equal(ena, info.EnaSupport);
        Assert.Equal(hypervisor, info.Hypervisor);
        Assert.False(InstanceTypeTable.TryGet("m5.gigantic", out _));
        Assert.False(InstanceTypeTable.TryGet("zz9.large", out _));
        Assert.Null(InstanceTypeTable.Get("m5.metal").Hypervisor);
    }

    [Fact]
    public void The_table_agrees_with_the_reference_dump_where_it_is_present()
    {
        var path = ReferenceDump();
        if (path is null)
        {
            output.WriteLine("shared/data/instance-types.json is not present beside the repository: only the FACTS.md rules above were checked.");
            Assert.Equal(25, InstanceTypeTable.XenTypes.Count(t => t.EnaSupport == InstanceTypeInfo.Supported));
            return;
        }
        output.WriteLine($"comparing with {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var mismatches = new List<string>();
        var count = 0;
        foreach (var entry in document.RootElement.GetProperty("instanceTypes").EnumerateObject())
        {
            count++;
            var expected = entry.Value;
            if (!InstanceTypeTable.TryGet(entry.Name, out var info))
            {
                mismatches.Add($"{entry.Name}: missing");
                continue;
            }
            Compare(entry.Name, "EnaSupport", expected.GetProperty("EnaSupport").GetString(), info.EnaSupport, mismatches);
            Compare(entry.Name, "Hypervisor", expected.GetProperty("Hypervisor").GetString(), info.Hypervisor, mismatches);
            Compare(entry.Name, "BareMetal", expected.GetProperty("BareMetal").GetBoolean().ToString(), info.BareMetal.ToString(), mismatches);
            Compare(entry.Name, "InstanceStorageSupported", expected.GetProperty("InstanceStorageSupported").GetBoolean().ToString(), info.InstanceStorageSupported.ToString(), mismatches);
            foreach (var list in new[] { "Architectures", "SupportedRootDeviceTypes", "SupportedVirtualizationTypes" })
            {
                var actual = list switch
                {
                    "Architectures" => info.Architectures,
                    "SupportedRootDeviceTypes" => info.SupportedRootDeviceTypes,
                    _ => info.SupportedVirtualizationTypes,
                };
                Compare(entry.Name, list, string.Join(",", expected.GetProperty(list).EnumerateArray().Select(e => e.GetString()).Order()),
                    string.Join(",", actual.Order()), mismatches);
            }
        }
        var extra = InstanceTypeTable.XenTypes.Where(t => !document.RootElement.GetProperty("instanceTypes").TryGetProperty(t.Name, out _)).ToList();
        mismatches.AddRange(extra.Select(t => $"{t.Name}: not in the reference"));
        Assert.True(count > 1000, $"only {count} types in the reference");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(30)));
    }

    [Fact]
    public async Task DescribeInstanceTypes_answers_from_the_table()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var response = await sim.Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["r4.large", "m5.large", "m3.medium"] });
        var byName = response.InstanceTypes.ToDictionary(t => t.InstanceType.Value);
        Assert.Equal(EnaSupport.Supported, byName["r4.large"].NetworkInfo.EnaSupport);
        Assert.Equal(EnaSupport.Required, byName["m5.large"].NetworkInfo.EnaSupport);
        Assert.Equal(InstanceTypeHypervisor.Nitro, byName["m5.large"].Hypervisor);
        Assert.Equal(["hvm", "paravirtual"], byName["m3.medium"].SupportedVirtualizationTypes);
        Assert.Contains("instance-store", byName["m3.medium"].SupportedRootDeviceTypes);

        var supported = new List<string>();
        await foreach (var t in sim.Ec2.Paginators.DescribeInstanceTypes(new DescribeInstanceTypesRequest
        {
            Filters = [new Filter("network-info.ena-support", ["supported"])], MaxResults = 10,
        }).InstanceTypes)
        {
            supported.Add(t.InstanceType.Value);
        }
        Assert.Equal(25, supported.Count);

        var unknown = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["m5.gigantic"] }));
        Assert.Equal("InvalidInstanceType", unknown.ErrorCode);
    }

    private static void Compare(string type, string field, string? expected, string? actual, List<string> mismatches)
    {
        if (expected != actual)
        {
            mismatches.Add($"{type}.{field}: reference '{expected}', table '{actual}'");
        }
    }

    // ../shared/data/instance-types.json relative to the repository root: walk up from the test directory.
    private static string? ReferenceDump()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "instance-types.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
