using static EnaRemediate.Functions.Tests.Infra.IamCallCatalog;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// What someone holding any one of the stack's roles would try (issue 12's list and more). Each is
/// one request that must be denied for every role; a call of several requests is denied when any is.
/// </summary>
public static class DangerousCalls
{
    private const string Ec2 = "arn:aws:ec2:" + ResolvedTemplate.Region + ":" + Account;

    public static IReadOnlyList<IamCall> All(ResolvedTemplate template) =>
    [
        // Tag escalation: opting an instance in, or rewriting tags other teams' policies rely on.
        One("tag an untagged instance opted in", "ec2:CreateTags", Instance(NotOptedIn), RequestTags((OptInKey, "true"))),
        One("re-tag an opted-in instance", "ec2:CreateTags", Instance(OptedIn), Merge(OptInTags, RequestTags((OptInKey, "true")))),
        One("rewrite another team's tag on an instance", "ec2:CreateTags", Instance(NotOptedIn), RequestTags(("team", "admins"))),
        One("give an existing instance the stack's launched-by tag", "ec2:CreateTags", Instance(NotOptedIn), RequestTags((LaunchedBy, Stack))),
        One("opt an instance in with the stack's own keys beside it", "ec2:CreateTags", Instance(NotOptedIn), RequestTags((OptInKey, "true"), ("EnaRemediate:RemediationId", "r-1"))),
        One("tag an existing volume", "ec2:CreateTags", Volume(RootVolume), RequestTags((OptInKey, "true"))),
        One("tag an existing snapshot", "ec2:CreateTags", Snapshot("snap-0ccccccccccccccc3"), RequestTags((LaunchedBy, Stack))),
        One("tag a snapshot at creation with a foreign key", "ec2:CreateTags", Snapshot("snap-0ccccccccccccccc3"), With(RequestTags((LaunchedBy, Stack), ("team", "admins")), ("ec2:CreateAction", "CreateSnapshot"))),
        One("tag another account's image", "ec2:CreateTags", Image("ami-0999999999999999a"), With(RequestTags(("EnaRemediate:SourceImage", "x"), ("EnaRemediate:RemediationId", "r")), ("ec2:Owner", "999999999999"))),
        One("tag an own image without our keys", "ec2:CreateTags", Image("ami-0ddddddddddddddd4"), With(RequestTags(("team", "admins")), ("ec2:Owner", Account))),
        // Instances that are not opted in.
        One("stop an instance that is not opted in", "ec2:StopInstances", Instance(NotOptedIn), Tagged(("Name", "db-1"))),
        One("stop an instance tagged True (not exactly true)", "ec2:StopInstances", Instance(NotOptedIn), Tagged((OptInKey, "True"))),
        One("start an instance that is not opted in", "ec2:StartInstances", Instance(NotOptedIn), Tagged(("Name", "db-1"))),
        One("turn ENA off on an instance that is not opted in", "ec2:ModifyInstanceAttribute", Instance(NotOptedIn), With(Tagged(("Name", "db-1")), ("ec2:Attribute/EnaSupport", "false"))),
        One("read the user data of an instance that is not opted in", "ec2:DescribeInstanceAttribute", Instance(NotOptedIn), With(Tagged(("Name", "db-1")), ("ec2:Attribute", "userData"))),
        // Attributes no plan changes.
        One("replace an opted-in instance's user data", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:Attribute/UserData", "IyEvYmluL3NoCg=="))),
        One("make an opted-in instance terminate on shutdown", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:Attribute/InstanceInitiatedShutdownBehavior", "terminate"))),
        One("change an opted-in instance's security groups", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:Attribute/GroupId", new[] { "sg-0evil" }))),
        One("turn off termination protection", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:Attribute/DisableApiTermination", "false"))),
        One("turn off source/dest check", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:Attribute/SourceDestCheck", "false"))),
        One("resize an opted-in m5 to p5.48xlarge", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:InstanceType", "m5.large"), ("ec2:Attribute/InstanceType", "p5.48xlarge"))),
        One("slip user data in beside enaSupport", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:Attribute/EnaSupport", "true"), ("ec2:Attribute/UserData", "IyEvYmluL3NoCg=="))),
        // Roles and launches.
        One("pass another role to EC2", "iam:PassRole", $"arn:aws:iam::{Account}:role/Administrator", new() { ["iam:PassedToService"] = "ec2.amazonaws.com" }),
        One("pass the instance role to Lambda", "iam:PassRole", new IamCallCatalog(template).InstanceRoleArn, new() { ["iam:PassedToService"] = "lambda.amazonaws.com" }),
        One("launch an instance without the stack's tags", "ec2:RunInstances", Instance("i-0fffffffffffffff7"), RequestTags(("Name", "miner"))),
        One("launch an instance with no tags at all", "ec2:RunInstances", Instance("i-0fffffffffffffff7"), []),
        One("launch a rescue-tagged instance with a foreign tag", "ec2:RunInstances", Instance("i-0fffffffffffffff7"), RequestTags((LaunchedBy, Stack), ("team", "admins"))),
        One("launch from an arbitrary public AMI", "ec2:RunInstances", Image("ami-0123456789abcdef0"), new() { ["ec2:Owner"] = "amazon" }),
        One("launch from an own image the stack did not register", "ec2:RunInstances", Image("ami-0888888888888888b"), new() { ["ec2:Owner"] = Account }),
        One("terminate an opted-in instance", "ec2:TerminateInstances", Instance(OptedIn), OptInTags),
        One("terminate an untagged instance", "ec2:TerminateInstances", Instance(NotOptedIn), []),
        One("terminate another stack's rescue instance", "ec2:TerminateInstances", Instance(Rescue), Tagged((LaunchedBy, "someone-else"))),
        // Volumes and snapshots of instances that are not opted in.
        One("attach a volume that is not opted in to the rescue instance", "ec2:AttachVolume", Volume("vol-0bbbbbbbbbbbbbbb2"), Tagged(("Name", "db-data"))),
        One("detach a volume that is not opted in", "ec2:DetachVolume", Volume("vol-0bbbbbbbbbbbbbbb2"), Tagged(("Name", "db-data"))),
        One("attach to an instance that is neither opted in nor the stack's", "ec2:AttachVolume", Instance(NotOptedIn), Tagged(("Name", "db-1"))),
        One("snapshot a volume that is not opted in", "ec2:CreateSnapshot", Volume("vol-0bbbbbbbbbbbbbbb2"), Tagged(("Name", "db-data"))),
        One("delete a volume", "ec2:DeleteVolume", Volume(RootVolume), Tagged((OptInKey, "true"))),
        // Commands.
        One("run AWS-RunShellScript", "ssm:SendCommand", $"arn:aws:ssm:{ResolvedTemplate.Region}:{Account}:document/AWS-RunShellScript", []),
        One("run another team's document", "ssm:SendCommand", $"arn:aws:ssm:{ResolvedTemplate.Region}:{Account}:document/Other-Team-Script", []),
        One("send a command to an instance that is not opted in", "ssm:SendCommand", Instance(NotOptedIn), new() { ["ssm:resourceTag/Name"] = "db-1" }),
        One("send a command to an instance tagged True", "ssm:SendCommand", Instance(NotOptedIn), new() { ["ssm:resourceTag/" + OptInKey] = "True" }),
        One("open a shell", "ssm:StartSession", Instance(OptedIn), new() { ["ssm:resourceTag/" + OptInKey] = "true" }),
        // Data and the stack itself.
        One("read another stack's table", "dynamodb:GetItem", $"arn:aws:dynamodb:{ResolvedTemplate.Region}:{Account}:table/payments", []),
        One("scan another stack's table", "dynamodb:Scan", $"arn:aws:dynamodb:{ResolvedTemplate.Region}:{Account}:table/payments", []),
        One("delete the audit table", "dynamodb:DeleteTable", template.ArnOf("RecordsTable"), []),
        One("export the audit table", "dynamodb:ExportTableToPointInTime", template.ArnOf("RecordsTable"), []),
        One("create a role", "iam:CreateRole", $"arn:aws:iam::{Account}:role/backdoor", []),
        One("attach a policy to a role", "iam:AttachRolePolicy", $"arn:aws:iam::{Account}:role/backdoor", []),
        One("widen its own role", "iam:PutRolePolicy", template.ArnOf("AdvanceRole"), []),
        One("assume another role", "sts:AssumeRole", $"arn:aws:iam::{Account}:role/Administrator", []),
        One("replace a function's code", "lambda:UpdateFunctionCode", $"arn:aws:lambda:{ResolvedTemplate.Region}:{Account}:function:{Stack}-AdvanceFunction-EXAMPLE", []),
        One("read an S3 object", "s3:GetObject", "arn:aws:s3:::secrets/key", []),
        One("decrypt with the topic key", "kms:Decrypt", template.ArnOf("TopicKey"), []),
        One("start a remediation through the default bus", "events:PutEvents", $"arn:aws:events:{ResolvedTemplate.Region}:{Account}:event-bus/default", []),
        // Offline repair: only what the stack launched or tagged as its own.
        One("terminate an instance the stack did not launch", "ec2:TerminateInstances", Instance(NotOptedIn), Tagged(("Name", "db-1"), (ClaimKey, "/dev/sdf"))),
        One("terminate another stack's rescue", "ec2:TerminateInstances", Instance(Rescue), Tagged((LaunchedBy, "other"), ("Name", "enaremediate-rescue-us-east-1a-x86_64"))),
        One("delete an untagged snapshot", "ec2:DeleteSnapshot", Snapshot("snap-0ddddddddddddddd4"), []),
        One("delete another stack's remediation snapshot", "ec2:DeleteSnapshot", Snapshot("snap-0ddddddddddddddd4"), Tagged((LaunchedBy, "other"), ("EnaRemediate:RemediationId", "r-9"))),
        One("delete a snapshot that only claims the stack's name", "ec2:DeleteSnapshot", Snapshot("snap-0ddddddddddddddd4"), Tagged((LaunchedBy, Stack))),
        One("attach a volume to an instance neither opted in nor a rescue", "ec2:AttachVolume", Instance(NotOptedIn), Tagged(("Name", "db-1"), (LaunchedBy, "other"))),
        One("swap an opted-in instance to a type that is no stand-in", "ec2:ModifyInstanceAttribute", Instance(OptedIn), With(OptInTags, ("ec2:InstanceType", "m5.large"), ("ec2:Attribute/InstanceType", "m5.24xlarge"))),
        One("launch a rescue from another AMI", "ec2:RunInstances", Image("ami-0777777777777777c"), new() { ["ec2:Owner"] = "amazon" }),
        One("tag a rescue with the opt-in key", "ec2:CreateTags", Instance(Rescue), Merge(RescueTags, RequestTags((OptInKey, "true")))),
        One("rewrite a rescue's launched-by tag", "ec2:CreateTags", Instance(Rescue), Merge(RescueTags, RequestTags((LaunchedBy, "other")))),
        One("remove the launched-by tag from a rescue", "ec2:DeleteTags", Instance(Rescue), With(RescueTags, ("aws:TagKeys", new[] { LaunchedBy }))),
        One("claim a device on another stack's rescue", "ec2:CreateTags", Instance(Rescue), Merge(Tagged((LaunchedBy, "other")), RequestTags((ClaimKey, "/dev/sdf")))),
        One("restore a volume from a snapshot the stack did not take", "ec2:CreateVolume", Snapshot("snap-0ddddddddddddddd4"), Tagged(("Name", "db-backup"))),
        One("create a volume without the stack's tags", "ec2:CreateVolume", Volume("vol-0ddddddddddddddd4"), RequestTags(("Name", "x"))),
        One("decrypt with a root volume's key outside EC2", "kms:Decrypt", Key(RootKey), []),
        One("decrypt through another service", "kms:Decrypt", Key(RootKey), new() { ["kms:ViaService"] = $"s3.{ResolvedTemplate.Region}.amazonaws.com" }),
        One("grant a key outside EC2", "kms:CreateGrant", Key(RootKey), new() { ["kms:GrantIsForAWSResource"] = "false" }),
        One("start the workflow directly", "states:StartExecution", $"arn:aws:states:{ResolvedTemplate.Region}:{Account}:stateMachine:{Stack}-RemediationStateMachine-EXAMPLE", []),
    ];

    private static IamCall One(string name, string action, string resource, Dictionary<string, object> context) =>
        new(name, [new IamRequest(action, resource, context)]);
}
