namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// What the reregister-ami plan left in the account, in the words the record, the CLI and the
/// notifications use: every instance still running (nothing is ever stopped or terminated) and
/// every image and bundle it made. ENA is called on and working only for a replacement whose
/// final validation passed, i.e. that booted the re-bundled image and bound the validated driver.
/// </summary>
public static class JourneyRemains
{
    public static string Describe(StepContext context, bool validated)
    {
        var memo = context.Record.Memo;
        var parts = new List<string> { $"nothing was stopped, rebooted or terminated; the original {context.Record.InstanceId} keeps running as found" };
        if (memo.GetValueOrDefault(AmiMemo.NewImageId) is { } disabled)
        {
            parts.Add($"ENA-disabled AMI {disabled}");
        }
        if (memo.GetValueOrDefault(AmiMemo.ReplacementInstanceId) is { } replacement)
        {
            parts.Add($"the replacement {replacement} keeps running with enaSupport off ({Driver(context)})");
        }
        if (memo.GetValueOrDefault(AmiMemo.BundleManifest) is { } manifest)
        {
            parts.Add($"the bundle s3://{manifest}");
        }
        if (memo.GetValueOrDefault(AmiMemo.EnaImageId) is { } enabled)
        {
            parts.Add(validated
                ? $"ENA-enabled AMI {enabled} (holds the validated driver)"
                : $"ENA-enabled AMI {enabled}, not validated: no instance from it was seen with ena bound, do not launch from it before checking");
        }
        if (memo.GetValueOrDefault(AmiMemo.EnaReplacementInstanceId) is { } enaReplacement)
        {
            parts.Add(validated
                ? $"the ENA-enabled replacement {enaReplacement} runs with enaSupport on and ena bound"
                : $"the ENA-enabled replacement {enaReplacement} keeps running with enaSupport on but was not validated (it may be unreachable)");
        }
        return string.Join("; ", parts);
    }

    private static string Driver(StepContext context)
    {
        if (context.Memo(MemoKeys.InstalledDriver) is { } version)
        {
            return $"DKMS module ena/{version} installed for every kernel{(context.Memo(MemoKeys.DriverValidated) is null ? ", not validated" : ", validated")}";
        }
        return context.Memo(MemoKeys.CommandId("install-driver")) is not null
            ? "the driver install did not complete: install-ena.sh removes what it added when it fails; 'dkms status ena' on it shows whether anything remains"
            : "no driver was installed on it";
    }
}
