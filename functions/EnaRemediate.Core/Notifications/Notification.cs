namespace EnaRemediate.Core.Notifications;

/// <summary>
/// One message for people (and, in its JSON section, machines): what the workflow publishes to SNS.
/// <see cref="Subject"/> fits SNS's limit (ASCII, one line, under 100 characters).
/// </summary>
public sealed record Notification(string Subject, string Message);
