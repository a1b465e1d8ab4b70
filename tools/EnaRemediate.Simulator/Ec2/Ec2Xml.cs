using System.Globalization;
using System.Xml.Linq;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>
/// Builds EC2 Query-protocol XML: elements in the 2016-11-15 namespace, lists as
/// &lt;fooSet&gt;&lt;item&gt;…, booleans lower case, times ISO 8601 UTC. Null content is left out,
/// so optional members simply do not appear, as in EC2's own answers.
/// </summary>
internal static class Ec2Xml
{
    public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static XElement E(string name, params object?[] content) =>
        new(Ns + name, content.Where(c => c is not null).Select(Format));

    /// <summary>&lt;name&gt;&lt;item&gt;…&lt;/item&gt;…&lt;/name&gt;; each entry is the content of one item.</summary>
    public static XElement Set(string name, IEnumerable<object?[]> items) =>
        new(Ns + name, items.Select(content => E("item", content)));

    public static XElement StringSet(string name, IEnumerable<string> values) =>
        new(Ns + name, values.Select(v => E("item", v)));

    public static XElement TagSet(IReadOnlyDictionary<string, string> tags) =>
        Set("tagSet", tags.Select(t => new object?[] { E("key", t.Key), E("value", t.Value) }));

    public static XElement State(string state) =>
        new(Ns + "instanceState", E("code", InstanceStatesCode(state)), E("name", state));

    public static XElement StateNamed(string elementName, string state) =>
        new(Ns + elementName, E("code", InstanceStatesCode(state)), E("name", state));

    /// <summary>The whole response document: &lt;{Action}Response xmlns=…&gt;&lt;requestId/&gt;…</summary>
    public static string Response(string action, string requestId, IEnumerable<XElement> members) =>
        new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement(Ns + $"{action}Response", E("requestId", requestId), members)).ToString(SaveOptions.DisableFormatting);

    /// <summary>EC2's error document (no namespace): Response/Errors/Error/{Code,Message} + RequestID.</summary>
    public static string Error(string code, string message, string requestId) =>
        new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement("Response",
                new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
                new XElement("RequestID", requestId))).ToString(SaveOptions.DisableFormatting);

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static object Format(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        DateTimeOffset t => Timestamp(t),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => value!,
    };

    private static int InstanceStatesCode(string state) => World.InstanceStates.Code(state);
}
