using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>Why a source image cannot be copied into an ENA-disabled AMI: a code for machines and a reason that says what to do.</summary>
public sealed record AmiRefusal(string Code, string Reason);

/// <summary>
/// Decides, from the source image alone, whether its manifest can be registered again. Pure, so
/// the plan, the CLI's --image-id path and the tests share one set of rules.
/// </summary>
public static class SourceImageJudge
{
    public const string EbsBacked = "ebs-backed-ami";
    public const string Deregistered = "source-ami-deregistered";
    public const string NotOwned = "source-ami-not-owned";
    public const string Paravirtual = "paravirtual-ami";
    public const string NotAvailable = "source-ami-not-available";

    /// <summary>What the AWS documentation offers when the manifest cannot be re-registered.</summary>
    public const string BundleAndUploadPath =
        "Create a new bundle from the running instance instead: on the instance, bundle its root file system with ec2-bundle-vol " +
        "(EC2 AMI tools), upload the bundle to an S3 bucket of this account with ec2-upload-bundle, then " +
        "aws ec2 register-image --image-location <bucket>/<prefix>/image.manifest.xml --no-ena-support with the same " +
        "architecture, virtualization type and kernel/ramdisk, and launch a replacement from that AMI.";

    /// <summary>Null when the image can be re-registered with EnaSupport=false; otherwise the refusal.</summary>
    public static AmiRefusal? Judge(string imageId, Ec2Image? image)
    {
        if (image is null || image.State == "deregistered")
        {
            return new(Deregistered,
                $"The source AMI {imageId} is deregistered or unknown in this Region (DescribeImages does not return it), so its bundle manifest location is unknown and cannot be registered again. {BundleAndUploadPath}");
        }
        if (image.VirtualizationType == "paravirtual")
        {
            return new(Paravirtual,
                $"The source AMI {imageId} is paravirtual (PV): ENA never applies to PV images, so there is no ENA setting to change. Keep the instance on a PV-capable type, or move the workload to an HVM AMI.");
        }
        if (image.RootDeviceType != "instance-store" || string.IsNullOrEmpty(image.ImageLocation))
        {
            return new(EbsBacked,
                $"The source AMI {imageId} is {image.RootDeviceType ?? "of unknown root device type"}-backed, not instance-store-backed: this is the wrong plan. An EBS-backed instance can be stopped, so use the fallback plan (enaremediate remediate) instead of a new AMI.");
        }
        if (!image.OwnedBySelf)
        {
            return new(NotOwned,
                $"The source AMI {imageId} belongs to account {image.OwnerId}, not this one, so this account cannot register its bundle manifest ({image.ImageLocation}). {BundleAndUploadPath}");
        }
        if (image.State != "available")
        {
            return new(NotAvailable, $"The source AMI {imageId} is {image.State}, not available; nothing was registered. Try again once it is available.");
        }
        return null;
    }

    /// <summary>The RegisterImage request that copies every attribute of <paramref name="source"/> with EnaSupport=false.</summary>
    public static ImageRegistration CopyWithoutEna(Ec2Image source, string name) => Copy(source, name, source.ImageLocation!, enaSupport: false);

    /// <summary>The RegisterImage request for a new bundle of the same machine: the source's attributes, the new manifest, and the ENA setting asked for.</summary>
    public static ImageRegistration Copy(Ec2Image source, string name, string imageLocation, bool enaSupport) => new()
    {
        Name = name,
        Description = source.Description,
        ImageLocation = imageLocation,
        Architecture = source.Architecture,
        VirtualizationType = source.VirtualizationType,
        RootDeviceName = source.RootDeviceName,
        KernelId = source.KernelId,
        RamdiskId = source.RamdiskId,
        BootMode = source.BootMode,
        SriovNetSupport = source.SriovNetSupport,
        EnaSupport = enaSupport,
        BlockDeviceMappings = source.BlockDeviceMappings,
    };
}
