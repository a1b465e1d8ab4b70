using System.Globalization;

namespace EnaRemediate.Simulator.World;

/// <summary>
/// vCPUs, memory, network interfaces and boot modes of a type, by family and size rules that match
/// DescribeInstanceTypes for the families the simulator's scenarios use (VCpuInfo.DefaultVCpus,
/// MemoryInfo.SizeInMiB, NetworkInfo.MaximumNetworkInterfaces, SupportedBootModes:
/// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceTypeInfo.html). Xen types
/// boot legacy BIOS only, Graviton types UEFI only, other Nitro types either
/// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-boot.html).
/// </summary>
public static class TypeSizing
{
    public static string Family(this InstanceTypeInfo type) => type.Name.Split('.')[0];

    private static string Size(this InstanceTypeInfo type) => type.Name[(type.Name.IndexOf('.') + 1)..];

    private static bool Burstable(this InstanceTypeInfo type) => type.Family() is "t1" or "t2" or "t3" or "t3a" or "t4g";

    public static int VCpus(this InstanceTypeInfo type) => type.Size() switch
    {
        "nano" or "micro" or "small" => 1,
        "medium" => type.Burstable() || type.Family() == "c1" ? 2 : 1,
        "large" => 2,
        "xlarge" => 4,
        var s when s.StartsWith("metal", StringComparison.Ordinal) => 96,
        var s when s.EndsWith("xlarge", StringComparison.Ordinal)
            && int.TryParse(s[..^6], NumberStyles.None, CultureInfo.InvariantCulture, out var n) => 4 * n,
        _ => 2,
    };

    public static int MemoryMiB(this InstanceTypeInfo type)
    {
        if (type.Burstable())
        {
            var gib = type.Size() switch
            {
                "nano" => 0.5, "micro" => 1, "small" => 2, "medium" => 4, "large" => 8, "xlarge" => 16, _ => 32,
            };
            return (int)(gib * 1024);
        }
        var perVCpu = type.Family()[0] switch
        {
            'c' => 2.0,
            'r' or 'i' or 'd' => 8.0,
            'x' or 'u' => 16.0,
            _ => 4.0,
        };
        return (int)(type.VCpus() * perVCpu * 1024);
    }

    public static int MaxNetworkInterfaces(this InstanceTypeInfo type)
    {
        if (type.Burstable())
        {
            return type.Size() is "nano" or "micro" ? 2 : type.Size() is "xlarge" or "2xlarge" && type.IsNitro ? 4 : 3;
        }
        var vcpus = type.VCpus();
        return vcpus switch
        {
            <= 2 => 3,
            <= 8 => 4,
            // Every Xen type stops at 8 interfaces; the largest Nitro sizes have 15.
            <= 48 => 8,
            _ => type.IsNitro ? 15 : 8,
        };
    }

    public static IReadOnlyList<string> BootModes(this InstanceTypeInfo type) =>
        type.Hypervisor == "xen" ? ["legacy-bios"]
        : type.Architectures.Contains("arm64") ? ["uefi"]
        : ["legacy-bios", "uefi"];
}
