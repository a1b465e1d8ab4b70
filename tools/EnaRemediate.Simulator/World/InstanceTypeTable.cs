using System.Text.RegularExpressions;

namespace EnaRemediate.Simulator.World;

/// <summary>What a type says about ENA, and what it can boot (FACTS.md §1).</summary>
public sealed record InstanceTypeInfo(
    string Name,
    string EnaSupport,
    string? Hypervisor,
    bool BareMetal,
    IReadOnlyList<string> Architectures,
    IReadOnlyList<string> SupportedRootDeviceTypes,
    IReadOnlyList<string> SupportedVirtualizationTypes,
    bool InstanceStorageSupported)
{
    public const string Required = "required";
    public const string Supported = "supported";
    public const string Unsupported = "unsupported";

    public bool IsNitro => EnaSupport == Required;

    /// <summary>With enaSupport off, the network driver the guest binds: Intel SR-IOV VF where the type has it, else Xen's.</summary>
    public string StockDriver => Name.Split('.')[0] is "c3" or "c4" or "d2" or "i2" or "r3" || (Name.StartsWith("m4.", StringComparison.Ordinal) && EnaSupport == Unsupported)
        ? "ixgbevf"
        : "xen-netfront";
}

/// <summary>
/// The simulator's own table of instance types, written from FACTS.md §1 as family rules plus
/// exceptions: the old Xen families are listed type by type (they are few and irregular), every
/// other known family is a Nitro family whose types all require ENA, boot EBS + HVM only, and
/// whose `.metal*` sizes report no hypervisor.
/// </summary>
public static partial class InstanceTypeTable
{
    private static readonly string[] EbsOnly = ["ebs"];
    private static readonly string[] EbsAndInstanceStore = ["ebs", "instance-store"];
    private static readonly string[] Hvm = ["hvm"];
    private static readonly string[] HvmAndPv = ["hvm", "paravirtual"];

    // Xen families: family, EnaSupport, sizes, root devices, virtualization, sizes that also run i386, local storage.
    private static readonly (string Family, string Ena, string Sizes, string[] Roots, string[] Virt, string I386Sizes, bool Storage)[] XenFamilies =
    [
        ("c1", InstanceTypeInfo.Unsupported, "medium xlarge", EbsAndInstanceStore, HvmAndPv, "medium", true),
        ("c3", InstanceTypeInfo.Unsupported, "large xlarge 2xlarge 4xlarge 8xlarge", EbsAndInstanceStore, HvmAndPv, "large", true),
        ("c4", InstanceTypeInfo.Unsupported, "large xlarge 2xlarge 4xlarge 8xlarge", EbsOnly, Hvm, "", false),
        ("d2", InstanceTypeInfo.Unsupported, "xlarge 2xlarge 4xlarge 8xlarge", EbsAndInstanceStore, Hvm, "", true),
        ("h1", InstanceTypeInfo.Supported, "2xlarge 4xlarge 8xlarge 16xlarge", EbsOnly, Hvm, "", true),
        ("i2", InstanceTypeInfo.Unsupported, "xlarge 2xlarge 4xlarge 8xlarge", EbsAndInstanceStore, Hvm, "", true),
        ("i3", InstanceTypeInfo.Supported, "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge", EbsOnly, Hvm, "", true),
        ("m1", InstanceTypeInfo.Unsupported, "small medium large xlarge", EbsAndInstanceStore, HvmAndPv, "small medium", true),
        ("m2", InstanceTypeInfo.Unsupported, "xlarge 2xlarge 4xlarge", EbsAndInstanceStore, HvmAndPv, "", true),
        ("m3", InstanceTypeInfo.Unsupported, "medium large xlarge 2xlarge", EbsAndInstanceStore, HvmAndPv, "", true),
        ("m4", InstanceTypeInfo.Unsupported, "large xlarge 2xlarge 4xlarge 10xlarge", EbsOnly, Hvm, "", false),
        ("r3", InstanceTypeInfo.Unsupported, "large xlarge 2xlarge 4xlarge 8xlarge", EbsAndInstanceStore, Hvm, "", true),
        ("r4", InstanceTypeInfo.Supported, "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge", EbsOnly, Hvm, "", false),
        ("t1", InstanceTypeInfo.Unsupported, "micro", EbsOnly, HvmAndPv, "micro", false),
        ("t2", InstanceTypeInfo.Unsupported, "nano micro small medium large xlarge 2xlarge", EbsOnly, Hvm, "nano micro small medium", false),
        ("x1", InstanceTypeInfo.Supported, "16xlarge 32xlarge", EbsAndInstanceStore, Hvm, "", true),
        ("x1e", InstanceTypeInfo.Supported, "xlarge 2xlarge 4xlarge 8xlarge 16xlarge 32xlarge", EbsOnly, Hvm, "", true),
    ];

    /// <summary>The one exception inside a Xen family: m4.16xlarge has ENA (FACTS.md §1).</summary>
    private const string M4Exception = "m4.16xlarge";

    private const string NitroFamilies =
        "a1 c5 c5a c5ad c5d c5n c6a c6g c6gd c6gn c6i c6id c6in c7a c7g c7gd c7gn c7i c7i-flex c8a c8g c8gb c8gd c8gn " +
        "c8i c8i-flex c8ib c8id c8in c8ine c9g c9gd d3 d3en dl2q f2 g4ad g4dn g5 g5g g6 g6e g6f g7 g7e gr6 gr6f hpc6a " +
        "hpc6id hpc7a hpc7g hpc8a i3en i4g i4i i7i i7ie i8g i8ge im4gn inf1 inf2 is4gen m5 m5a m5ad m5d m5dn m5n m5zn " +
        "m6a m6g m6gd m6i m6id m6idn m6in m7a m7g m7gd m7i m7i-flex m8a m8azn m8g m8gb m8gd m8gn m8i m8i-flex m8ib m8id " +
        "m8idb m8idn m8in m8ine m9g m9gd mac-m3ultra mac-m4 mac-m4max mac-m4pro mac1 mac2 mac2-m1ultra mac2-m2 mac2-m2pro " +
        "p3dn p4d p4de p5 p5e p5en p6-b200 p6-b300 r5 r5a r5ad r5b r5d r5dn r5n r6a r6g r6gd r6i r6id r6idn r6in r7a r7g " +
        "r7gd r7i r7iz r8a r8g r8gb r8gd r8gn r8i r8i-flex r8ib r8id r8idb r8idn r8in t3 t3a t4g trn1 trn1n trn2 u-3tb1 " +
        "u-6tb1 u7i-12tb u7i-6tb u7i-8tb u7in-16tb u7in-24tb u7in-32tb vt1 x2gd x2idn x2iedn x2iezn x8aedz x8g x8i z1d";

    private static readonly HashSet<string> Nitro = new(NitroFamilies.Split(' '), StringComparer.Ordinal);

    private static readonly Dictionary<string, InstanceTypeInfo> Xen = BuildXen();

    /// <summary>Every Xen type, exactly; Nitro types are resolved by family rule on lookup.</summary>
    public static IEnumerable<InstanceTypeInfo> XenTypes => Xen.Values.OrderBy(t => t.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out InstanceTypeInfo info)
    {
        if (Xen.TryGetValue(name, out info!))
        {
            return true;
        }
        var dot = name.IndexOf('.');
        if (dot > 0 && Nitro.Contains(name[..dot]) && NitroSize().IsMatch(name[(dot + 1)..]))
        {
            var family = name[..dot];
            var metal = name[(dot + 1)..].StartsWith("metal", StringComparison.Ordinal);
            info = new InstanceTypeInfo(name, InstanceTypeInfo.Required, metal ? null : "nitro", metal,
                [NitroArchitecture(family)], EbsOnly, Hvm, NitroHasLocalStorage(family));
            return true;
        }
        info = null!;
        return false;
    }

    public static InstanceTypeInfo Get(string name) =>
        TryGet(name, out var info) ? info : throw new KeyNotFoundException($"unknown instance type '{name}'");

    // Graviton families carry a 'g' right after the generation digit (c6g, x2gd, i8ge); Macs are their own.
    private static string NitroArchitecture(string family) => family switch
    {
        "mac1" => "x86_64_mac",
        _ when family.StartsWith("mac", StringComparison.Ordinal) => "arm64_mac",
        "a1" => "arm64",
        _ when GravitonFamily().IsMatch(family) => "arm64",
        _ => "x86_64",
    };

    // Local NVMe is marked by a 'd' in the family's suffix (c5d, m6idn, x2iedn), or the family is a storage,
    // accelerator (x86 GPU, Trainium) or M4 Mac family.
    private static bool NitroHasLocalStorage(string family) =>
        StorageFamily().IsMatch(family);

    private static Dictionary<string, InstanceTypeInfo> BuildXen()
    {
        var table = new Dictionary<string, InstanceTypeInfo>(StringComparer.Ordinal);
        foreach (var f in XenFamilies)
        {
            var i386 = f.I386Sizes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var size in f.Sizes.Split(' '))
            {
                var name = $"{f.Family}.{size}";
                string[] arch = i386.Contains(size) ? ["i386", "x86_64"] : ["x86_64"];
                table[name] = new InstanceTypeInfo(name, f.Ena, "xen", false, arch, f.Roots, f.Virt, f.Storage);
            }
        }
        table[M4Exception] = new InstanceTypeInfo(M4Exception, InstanceTypeInfo.Supported, "xen", false, ["x86_64"], EbsOnly, Hvm, false);
        return table;
    }

    [GeneratedRegex(@"^(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$")]
    private static partial Regex NitroSize();

    [GeneratedRegex(@"^[a-z]+\d+g")]
    private static partial Regex GravitonFamily();

    [GeneratedRegex(@"^([a-z]+\d+[a-z]*d[a-z]*|i\d.*|d3.*|im4gn|is4gen|f2|p\d.*|g[4-9][a-fh-z]*|gr6.*|trn\d.*|mac-m4(pro)?)$")]
    private static partial Regex StorageFamily();
}
