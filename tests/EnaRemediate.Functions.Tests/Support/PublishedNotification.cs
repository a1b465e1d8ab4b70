using System.Text.Json.Nodes;
using EnaRemediate.Core.Notifications;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>One sns:publish the workflow made, split as a reader sees it: subject, the text for people, the JSON section for machines.</summary>
public sealed record PublishedNotification(string Subject, string Text, JsonNode Json)
{
    public static PublishedNotification From(JsonNode published)
    {
        var message = published["Message"]!.GetValue<string>();
        var at = message.IndexOf(NotificationComposer.JsonSectionHeader, StringComparison.Ordinal);
        Assert.True(at > 0, $"the message has no JSON section: {message}");
        return new(published["Subject"]!.GetValue<string>(), message[..at], JsonNode.Parse(message[(at + NotificationComposer.JsonSectionHeader.Length)..])!);
    }

    /// <summary>The JSON section's entry for one instance.</summary>
    public JsonNode Instance(string instanceId) =>
        Json["instances"]!.AsArray().Single(i => i!["instanceId"]!.GetValue<string>() == instanceId)!;
}
