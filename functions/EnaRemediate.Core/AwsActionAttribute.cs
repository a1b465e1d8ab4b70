namespace EnaRemediate.Core;

/// <summary>
/// Names the IAM action(s) a port method calls, e.g. <c>[AwsAction("ec2:StopInstances")]</c>.
/// The template's IAM policy is checked against the set of these found by reflection, so the
/// permissions are derived from the code instead of kept by hand. <see cref="Mutating"/> actions
/// are the ones the template limits to opted-in instances.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class AwsActionAttribute(string action) : Attribute
{
    public string Action { get; } = action;
    public bool Mutating { get; init; }
}
