using System.Text.Json;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Records;

/// <summary>
/// Versions before the SQLite store kept one JSON file per record (remediate in
/// <c>~/.enaremediate/records</c>, register-ami in the local application data folder). A new
/// database takes them in once, so an unfinished remediation of an older version is not forgotten
/// (it could have left an instance stopped with ENA off). The files are left where they are.
/// </summary>
internal static class LegacyJsonRecords
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<string> Directories =>
    [
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".enaremediate", "records"),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "enaremediate", "records"),
    ];

    public static void Import(SqliteRemediationStore store, TextWriter log)
    {
        foreach (var directory in Directories.Where(Directory.Exists))
        {
            int imported = 0, skipped = 0;
            foreach (var path in Directory.EnumerateFiles(directory, "*.json"))
            {
                if (Read(path) is { } record && store.TryImport(record))
                {
                    imported++;
                }
                else
                {
                    skipped++;
                }
            }
            if (imported + skipped > 0)
            {
                log.WriteLine($"enaremediate: took {imported} record(s) of an older version from {directory} into {store.Path}" +
                    (skipped > 0 ? $"; {skipped} file(s) could not be read or repeat a record and were left out" : "") +
                    ". The JSON files are no longer read and can be deleted.");
            }
        }
    }

    private static RemediationRecord? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RemediationRecord>(File.ReadAllText(path), Json) is { RemediationId.Length: > 0, InstanceId.Length: > 0 } record ? record : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
