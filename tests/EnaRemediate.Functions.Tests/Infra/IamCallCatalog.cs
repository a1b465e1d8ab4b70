namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// The calls behind each action the roles grant, as AWS would evaluate them: realistic ARNs, the
/// tags the resources carry and the condition keys EC2, SSM and IAM put in the request context.
/// An action with no entry fails the allowed-calls test, so a new [AwsAction] needs one here.
/// </summary>
public sealed class IamCallCatalog(ResolvedTemplate template)
{
    public const string Account = ResolvedTemplate.Account;
    public const string Stack = ResolvedTemplate.StackName;
    private const string Ec2 = "arn:aws:ec2:" + ResolvedTemplate.Region + ":" + Account;
    private const string Ssm = "arn:aws:ssm:" + ResolvedTemplate.Region + ":" + Account;
    public const string OptInKey = "EnaRemediate:OptIn";
    public const string LaunchedBy = "EnaRemediate:LaunchedBy";

    public static string Instance(string id) => $"{Ec2}:instance/{id}";
    public static string Volume(string id) => $"{Ec2}:volume/{id}";
    public static string Image(string id) => $"arn:aws:ec2:{ResolvedTemplate.Region}::image/{id}";
    /// <summary>Snapshot ARNs have no account, whoever owns them.</summary>
    public static string Snapshot(string id) => $"arn:aws:ec2:{ResolvedTemplate.Region}::snapshot/{id}";
    public static string Document(string name) => $"{Ssm}:document/{name}";

    public const string OptedIn = "i-0aaaaaaaaaaaaaaa1";
    public const string NotOptedIn = "i-0bbbbbbbbbbbbbbb2";
    public const string Rescue = "i-0ccccccccccccccc3";
    public const string RootVolume = "vol-0aaaaaaaaaaaaaaa1";
    public const string RestoredVolume = "vol-0ccccccccccccccc3";
    public const string RootSnapshot = "snap-0aaaaaaaaaaaaaaa1";
    public const string RemediationId = "i-0aaaaaaaaaaaaaaa1-20261201T090000-1a2b3c4d";
    public const string ClaimKey = "EnaRemediate:Claim:" + OptedIn;
    public static string Key(string id) => $"arn:aws:kms:{ResolvedTemplate.Region}:{Account}:key/{id}";
    public const string RootKey = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    public static readonly Dictionary<string, object> ViaEc2 = new() { ["kms:ViaService"] = $"ec2.{ResolvedTemplate.Region}.amazonaws.com" };

    /// <summary>The tags of a resource as condition context: ec2:ResourceTag/K and aws:ResourceTag/K.</summary>
    public static Dictionary<string, object> Tagged(params (string Key, string Value)[] tags)
    {
        var context = new Dictionary<string, object>();
        foreach (var (key, value) in tags)
        {
            context["ec2:ResourceTag/" + key] = value;
            context["aws:ResourceTag/" + key] = value;
        }
        return context;
    }

    public static Dictionary<string, object> With(Dictionary<string, object> context, params (string Key, object Value)[] more)
    {
        var copy = new Dictionary<string, object>(context);
        foreach (var (key, value) in more) copy[key] = value;
        return copy;
    }

    public static Dictionary<string, object> Merge(Dictionary<string, object> first, Dictionary<string, object> second) =>
        With(first, second.Select(p => (p.Key, p.Value)).ToArray());

    public static readonly Dictionary<string, object> OptInTags = Tagged((OptInKey, "true"), ("Name", "web-1"));
    public static readonly Dictionary<string, object> RescueTags = Tagged((LaunchedBy, Stack), ("Name", "enaremediate-rescue-us-east-1a-x86_64"), (ClaimKey, "/dev/sdf"));
    /// <summary>What offline repair puts on the snapshots and restored volumes it creates.</summary>
    public static readonly Dictionary<string, object> OwnedTags = Tagged((LaunchedBy, Stack), ("EnaRemediate:RemediationId", RemediationId), ("Name", "enaremediate-i-0aaaaaaaaaaaaaaa1-root"));
    public static Dictionary<string, object> OwnedRequestTags() => RequestTags((LaunchedBy, Stack), ("EnaRemediate:RemediationId", RemediationId), ("Name", "enaremediate-i-0aaaaaaaaaaaaaaa1-root"));

    /// <summary>Request tags of a create call: aws:RequestTag/K for each tag and aws:TagKeys.</summary>
    public static Dictionary<string, object> RequestTags(params (string Key, string Value)[] tags)
    {
        var context = tags.ToDictionary(t => "aws:RequestTag/" + t.Key, t => (object)t.Value);
        context["aws:TagKeys"] = tags.Select(t => t.Key).ToArray();
        return context;
    }

    private static IamCall Call(string name, params IamRequest[] requests) => new(name, requests);

    private static IamRequest R(string action, string resource, Dictionary<string, object>? context = null) => new(action, resource, context);

    /// <summary>
    /// The ways one handler's code uses the action: the inventory's auto-fix sends only the
    /// install document to opted-in instances; every other handler as <see cref="CallsOf(string)"/>.
    /// </summary>
    public IReadOnlyList<IamCall> CallsOf(string action, string handler) =>
        handler == "inventory" && action == "ssm:SendCommand" ? CallsOf(action).Take(1).ToList() : CallsOf(action);

    /// <summary>Every way the code (or a reserved recovery route) uses the action.</summary>
    public IReadOnlyList<IamCall> CallsOf(string action) => action switch
    {
        _ when action.StartsWith("dynamodb:", StringComparison.Ordinal) => [Call($"{action} on the records table", R(action, template.ArnOf("RecordsTable")))],
        "ec2:DescribeInstances" or "ec2:DescribeInstanceStatus" or "ec2:DescribeInstanceTypes" or "ec2:DescribeImages" or "ec2:DescribeInstanceTypeOfferings"
            or "ec2:DescribeVolumes" or "ec2:DescribeSnapshots" or "ssm:DescribeInstanceInformation" or "ssm:ListCommandInvocations" or "ssm:GetCommandInvocation"
            or "autoscaling:DescribeAutoScalingInstances" => [Call(action, R(action, "*"))],
        // Only with the operator's consent (triage), for an opted-in member; IAM cannot see the instance's tags on a group call.
        "autoscaling:EnterStandby" or "autoscaling:ExitStandby" =>
            [Call($"{action} of an opted-in member", R(action, $"arn:aws:autoscaling:{ResolvedTemplate.Region}:{Account}:autoScalingGroup:6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9:autoScalingGroupName/web-asg"))],
        "ec2:DescribeInstanceAttribute" => [Call("read the user data of an opted-in instance", R(action, Instance(OptedIn), With(OptInTags, ("ec2:Attribute", "userData"))))],
        "ec2:StopInstances" or "ec2:StartInstances" => [Call($"{action} of an opted-in instance", R(action, Instance(OptedIn), OptInTags))],
        "ec2:ModifyInstanceAttribute" =>
        [
            Call("turn enaSupport off on an opted-in instance", R(action, Instance(OptedIn), With(OptInTags, ("ec2:Attribute/EnaSupport", "false")))),
            Call("turn enaSupport back on", R(action, Instance(OptedIn), With(OptInTags, ("ec2:Attribute/EnaSupport", "true")))),
            Call("type swap: m5.large to the stand-in m4.large", R(action, Instance(OptedIn), With(OptInTags, ("ec2:InstanceType", "m5.large"), ("ec2:Attribute/InstanceType", "m4.large")))),
            Call("type swap back: m4.large to m5.large", R(action, Instance(OptedIn), With(OptInTags, ("ec2:InstanceType", "m4.large"), ("ec2:Attribute/InstanceType", "m5.large")))),
        ],
        "ssm:SendCommand" =>
        [
            Call("install the driver on an opted-in instance", R(action, Document("EnaRemediate-InstallDriver")), R(action, Instance(OptedIn), new Dictionary<string, object> { ["ssm:resourceTag/" + OptInKey] = "true" })),
            Call("collect the host report of an opted-in instance", R(action, Document("EnaRemediate-CollectHostReport")), R(action, Instance(OptedIn), new Dictionary<string, object> { ["ssm:resourceTag/" + OptInKey] = "true" })),
            Call("run our document on the stack's rescue instance", R(action, Document("EnaRemediate-InstallDriver")), R(action, Instance(Rescue), new Dictionary<string, object> { ["ssm:resourceTag/" + LaunchedBy] = Stack })),
            Call("offline repair: the chroot install on the stack's rescue instance", R(action, Document("EnaRemediate-OfflineRepair")), R(action, Instance(Rescue), new Dictionary<string, object> { ["ssm:resourceTag/" + LaunchedBy] = Stack })),
        ],
        "s3:GetObject" => [Call("read a collect report SSM cut, from the deployment's output bucket",
            R(action, $"arn:aws:s3:::{ResolvedTemplate.CommandOutputBucket}/enaremediate/command-output/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e/{OptedIn}/awsrunShellScript/collectHostReport/stdout"))],
        "ec2:RegisterImage" => [Call("register the ENA-disabled copy", R(action, Image("ami-0ddddddddddddddd4")))],
        "ec2:CreateTags" =>
        [
            Call("tag the new image with our keys", R(action, Image("ami-0ddddddddddddddd4"),
                With(RequestTags(("Name", "web"), ("EnaRemediate:SourceImage", "ami-0eeeeeeeeeeeeeee5"), ("EnaRemediate:RemediationId", "r-1")), ("ec2:Owner", Account)))),
            Call("tags of a replacement at launch", R(action, Instance("i-0fffffffffffffff6"), With(RequestTags((OptInKey, "true"), ("Name", "web-1")), ("ec2:CreateAction", "RunInstances")))),
            Call("tags of a rescue instance at launch", R(action, Instance(Rescue), With(RescueLaunchTags(), ("ec2:CreateAction", "RunInstances")))),
            Call("tags of a snapshot at creation", R(action, Snapshot(RootSnapshot), With(OwnedRequestTags(), ("ec2:CreateAction", "CreateSnapshot")))),
            Call("tags of a restored root at creation", R(action, Volume(RestoredVolume), With(OwnedRequestTags(), ("ec2:CreateAction", "CreateVolume")))),
            Call("claim a device on the stack's rescue instance", R(action, Instance(Rescue), Merge(RescueTags, RequestTags(("EnaRemediate:Claim:i-0ddddddddddddddd4", "/dev/sdg"))))),
            Call("mark the original root kept aside after a restore", R(action, Volume(RootVolume), Merge(Tagged((OptInKey, "true")), RequestTags(("EnaRemediate:OriginalRootOf", OptedIn))))),
        ],
        "ec2:RunInstances" =>
        [
            Call("launch a replacement from our ENA-disabled image",
                [R(action, Instance("i-0fffffffffffffff6"), RequestTags((OptInKey, "true"), ("Name", "web-1"))),
                 R(action, Image("ami-0ddddddddddddddd4"), With(Tagged(("EnaRemediate:SourceImage", "ami-0eeeeeeeeeeeeeee5")), ("ec2:Owner", Account))),
                 .. Network()]),
            Call("launch a rescue instance from the configured AMI",
                [R(action, Instance(Rescue), RescueLaunchTags()),
                 R(action, Image(ResolvedTemplate.RescueImageId), new Dictionary<string, object> { ["ec2:Owner"] = "amazon" }),
                 R(action, Snapshot("snap-0bbbbbbbbbbbbbbb2")),
                 .. Network()]),
            Call("launch an arm64 rescue instance from the configured arm64 AMI",
                [R(action, Instance(Rescue), RescueLaunchTags()),
                 R(action, Image(ResolvedTemplate.RescueImageIdArm64), new Dictionary<string, object> { ["ec2:Owner"] = "amazon" }),
                 .. Network()]),
        ],
        "iam:PassRole" => [Call("pass the instance role to EC2", R(action, InstanceRoleArn, new Dictionary<string, object> { ["iam:PassedToService"] = "ec2.amazonaws.com" }))],
        "ec2:TerminateInstances" => [Call("terminate the stack's rescue instance", R(action, Instance(Rescue), RescueTags))],
        "ec2:DeleteTags" => [Call("release a claim on the stack's rescue instance", R(action, Instance(Rescue), With(RescueTags, ("aws:TagKeys", new[] { ClaimKey }))))],
        "ec2:DeleteSnapshot" => [Call("delete the root snapshot after a success", R(action, Snapshot(RootSnapshot), OwnedTags))],
        "ec2:CreateVolume" => [Call("restore a root from the remediation's snapshot", R(action, Snapshot(RootSnapshot), OwnedTags), R(action, Volume(RestoredVolume), OwnedRequestTags()))],
        "kms:CreateGrant" => [Call("EC2 takes a grant on the encrypted root's key for the rescue attach",
            R(action, Key(RootKey), With(ViaEc2, ("kms:GrantIsForAWSResource", "true"), ("kms:GrantOperations", new[] { "Decrypt" }))))],
        "kms:Decrypt" or "kms:DescribeKey" or "kms:GenerateDataKeyWithoutPlaintext" or "kms:ReEncryptFrom" or "kms:ReEncryptTo" =>
            [Call($"{action} on the encrypted root's key through EC2", R(action, Key(RootKey), ViaEc2))],
        "ec2:AttachVolume" or "ec2:DetachVolume" =>
        [
            Call($"{action}: a restored root and its opted-in instance", R(action, Instance(OptedIn), OptInTags), R(action, Volume(RestoredVolume), OwnedTags)),
            Call($"{action}: an opted-in instance's root volume and the rescue instance", R(action, Instance(Rescue), RescueTags), R(action, Volume(RootVolume), Tagged((OptInKey, "true")))),
            Call($"{action}: the root volume and its opted-in instance", R(action, Instance(OptedIn), OptInTags), R(action, Volume(RootVolume), Tagged((OptInKey, "true")))),
        ],
        "ec2:CreateSnapshot" => [Call("snapshot an opted-in instance's root volume", R(action, Volume(RootVolume), Tagged((OptInKey, "true"))), R(action, Snapshot(RootSnapshot), OwnedRequestTags()))],
        _ => throw new InvalidOperationException($"No realistic call for {action}: add one to {nameof(IamCallCatalog)}.{nameof(CallsOf)}."),
    };

    /// <summary>The tags RescuePool launches a rescue with: the stack's name, a Name and the first claim.</summary>
    public static Dictionary<string, object> RescueLaunchTags() => RequestTags((LaunchedBy, Stack), ("Name", "enaremediate-rescue-us-east-1a-x86_64"), (ClaimKey, "/dev/sdf"));

    /// <summary>The role instances launched by the stack get (InstanceRoleArn, or the one the stack creates).</summary>
    public string InstanceRoleArn => template.Condition("CreateInstanceRole") ? template.ArnOf("InstanceRole") : template.Template.ParameterDefault("InstanceRoleArn");

    private static IamRequest[] Network() =>
    [
        new("ec2:RunInstances", $"{Ec2}:subnet/subnet-0aaaaaaaaaaaaaaa1"),
        new("ec2:RunInstances", $"{Ec2}:security-group/sg-0aaaaaaaaaaaaaaa1"),
        new("ec2:RunInstances", $"{Ec2}:network-interface/*"),
        new("ec2:RunInstances", $"{Ec2}:volume/*"),
        new("ec2:RunInstances", $"{Ec2}:key-pair/web"),
    ];
}
