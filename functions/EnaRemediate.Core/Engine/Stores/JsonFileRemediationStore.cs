using System.Text.Json;

namespace EnaRemediate.Core.Engine.Stores;

/// <summary>
/// Records as one JSON file each in a directory, for the CLI: a remediation interrupted by Ctrl-C
/// or a crash resumes from the files. Every write goes to a temporary file that is then renamed
/// over the old one, so a file is always either the old or the new record, never half of each.
/// One process at a time owns a directory (the CLI); the index is read once when the store opens.
/// </summary>
public sealed class JsonFileRemediationStore : IRemediationStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly string _directory;
    private readonly RecordIndex _index = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public JsonFileRemediationStore(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        foreach (var path in Directory.EnumerateFiles(directory, "*.json"))
        {
            var record = JsonSerializer.Deserialize<RemediationRecord>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} does not hold a remediation record.");
            _index.Put(record);
        }
    }

    public Task<StoreCreateResult> TryCreateAsync(RemediationRecord record, CancellationToken cancellationToken = default) =>
        UnderGate(() =>
        {
            var result = _index.PrepareCreate(record);
            if (result.Created)
            {
                Write(result.Record);
            }
            return result;
        }, cancellationToken);

    public Task<RemediationRecord?> GetLatestAsync(string instanceId, CancellationToken cancellationToken = default) =>
        UnderGate(() => _index.Latest(instanceId), cancellationToken);

    public Task<RemediationRecord?> GetAsync(string remediationId, CancellationToken cancellationToken = default) =>
        UnderGate(() => _index.Get(remediationId), cancellationToken);

    public Task<RemediationRecord> SaveAsync(RemediationRecord record, long expectedVersion, CancellationToken cancellationToken = default) =>
        UnderGate(() =>
        {
            var saved = _index.PrepareSave(record, expectedVersion);
            Write(saved);
            return saved;
        }, cancellationToken);

    public Task<IReadOnlyList<RemediationRecord>> ListUnfinishedAsync(CancellationToken cancellationToken = default) =>
        UnderGate<IReadOnlyList<RemediationRecord>>(() => _index.All.Where(r => !r.IsFinished).ToList(), cancellationToken);

    public Task<IReadOnlyList<RemediationRecord>> HistoryAsync(string instanceId, CancellationToken cancellationToken = default) =>
        UnderGate(() => _index.History(instanceId), cancellationToken);

    /// <summary>Disk first, memory second: a failed write leaves both at the old version.</summary>
    private void Write(RemediationRecord record)
    {
        var path = Path.Combine(_directory, FileName(record.RemediationId));
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(record, Json));
        File.Move(temp, path, overwrite: true);
        _index.Put(record);
    }

    /// <summary>Remediation ids are ours, but the file name is still restricted to safe characters.</summary>
    private static string FileName(string remediationId) =>
        string.Concat(remediationId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')) + ".json";

    private async Task<T> UnderGate<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            _gate.Release();
        }
    }
}
