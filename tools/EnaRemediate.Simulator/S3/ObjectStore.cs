namespace EnaRemediate.Simulator.S3;

/// <summary>One stored object: its bytes and what GetObject reports about them.</summary>
internal sealed record StoredObject(byte[] Content, DateTimeOffset LastModified, string ETag);

/// <summary>
/// The account's S3 buckets as far as SSM's command output needs them: buckets created by
/// CreateBucket, objects written by the simulated SSM agent. Guarded by the world lock.
/// </summary>
public sealed class ObjectStore
{
    private readonly Dictionary<string, Dictionary<string, StoredObject>> _buckets = new(StringComparer.Ordinal);

    /// <summary>CreateBucket; creating one the account already owns succeeds again, as in us-east-1.</summary>
    public void CreateBucket(string bucket) => _buckets.TryAdd(bucket, new Dictionary<string, StoredObject>(StringComparer.Ordinal));

    /// <summary>The object, or null (and whether it was the bucket that is missing).</summary>
    internal (StoredObject? Object, bool NoBucket) Get(string bucket, string key) =>
        _buckets.TryGetValue(bucket, out var objects) ? (objects.GetValueOrDefault(key), false) : (null, true);

    /// <summary>Writes an object into an existing bucket; false when the bucket does not exist (the writer's upload fails).</summary>
    internal bool Put(string bucket, string key, byte[] content, DateTimeOffset at)
    {
        if (!_buckets.TryGetValue(bucket, out var objects))
        {
            return false;
        }
        objects[key] = new StoredObject(content, at, "\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(content)) + "\"");
        return true;
    }
}
