using System.Globalization;
using System.Text.Json;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using Microsoft.Data.Sqlite;

namespace EnaRemediate.Cli.Records;

/// <summary>
/// The CLI's records in one SQLite file, shared by every `enaremediate` process on the machine
/// (remediate, register-ami, status, history, abort). The same rules as the DynamoDB store: an
/// unfinished record per instance is the lock (a partial unique index, checked inside a
/// <c>BEGIN IMMEDIATE</c> transaction, so two processes can never both create one), and a save
/// succeeds only over the version it read. WAL lets readers work while a writer holds the lock;
/// a writer waits for another up to the busy timeout instead of failing at once.
/// </summary>
public sealed class SqliteRemediationStore : IRemediationStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);
    private const int SchemaVersion = 1;
    private readonly string _connectionString;

    public SqliteRemediationStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
        Run(connection =>
        {
            Execute(connection, "PRAGMA journal_mode = WAL;");
            var version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new RecordStoreException($"{Path} was written by a newer enaremediate (schema {version}); use that version to read it.");
            }
            Execute(connection, """
                BEGIN IMMEDIATE;
                CREATE TABLE IF NOT EXISTS records (
                    remediation_id TEXT PRIMARY KEY,
                    instance_id    TEXT NOT NULL,
                    created_at     TEXT NOT NULL,
                    version        INTEGER NOT NULL,
                    finished       INTEGER NOT NULL,
                    body           TEXT NOT NULL);
                CREATE UNIQUE INDEX IF NOT EXISTS one_unfinished_record_per_instance ON records(instance_id) WHERE finished = 0;
                CREATE INDEX IF NOT EXISTS records_by_instance ON records(instance_id, created_at);
                PRAGMA user_version = 1;
                COMMIT;
                """);
            return 0;
        });
    }

    /// <summary>The database file, as an operator would look for it.</summary>
    public string Path { get; }

    public Task<StoreCreateResult> TryCreateAsync(RemediationRecord record, CancellationToken cancellationToken = default) =>
        Task.FromResult(InTransaction(connection =>
        {
            if (Get(connection, record.RemediationId) is not null)
            {
                throw new ArgumentException($"A remediation record with id {record.RemediationId} already exists.", nameof(record));
            }
            if (Query(connection, "SELECT body FROM records WHERE instance_id = $instance AND finished = 0", ("$instance", record.InstanceId)).FirstOrDefault() is { } existing)
            {
                return new StoreCreateResult(false, existing);
            }
            var created = record with { Version = 1 };
            Write(connection, "INSERT INTO records (remediation_id, instance_id, created_at, version, finished, body) VALUES ($id, $instance, $created, $version, $finished, $body)", created);
            return new StoreCreateResult(true, created);
        }));

    public Task<RemediationRecord?> GetLatestAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(connection => Query(connection,
            "SELECT body FROM records WHERE instance_id = $instance ORDER BY created_at DESC, remediation_id DESC LIMIT 1", ("$instance", instanceId)).FirstOrDefault()));

    public Task<RemediationRecord?> GetAsync(string remediationId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(connection => Get(connection, remediationId)));

    public Task<RemediationRecord> SaveAsync(RemediationRecord record, long expectedVersion, CancellationToken cancellationToken = default) =>
        Task.FromResult(InTransaction(connection =>
        {
            var saved = record with { Version = expectedVersion + 1 };
            // The version is compared by the UPDATE itself: a writer that read an older copy changes nothing.
            var changed = Write(connection, """
                UPDATE records SET version = $version, finished = $finished, body = $body
                WHERE remediation_id = $id AND instance_id = $instance AND version = $expected
                """, saved, ("$expected", expectedVersion));
            return changed == 1 ? saved : throw new StoreConflictException(record.RemediationId, expectedVersion);
        }));

    public Task<IReadOnlyList<RemediationRecord>> ListUnfinishedAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(connection => Query(connection, "SELECT body FROM records WHERE finished = 0 ORDER BY created_at, remediation_id")));

    public Task<IReadOnlyList<RemediationRecord>> HistoryAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(connection => Query(connection,
            "SELECT body FROM records WHERE instance_id = $instance ORDER BY created_at, remediation_id", ("$instance", instanceId))));

    /// <summary>The newest record of every instance that has one, oldest instance activity first (for `status`).</summary>
    public IReadOnlyList<RemediationRecord> LatestPerInstance() => Run(connection => Query(connection, """
        SELECT body FROM records r
        WHERE remediation_id = (SELECT remediation_id FROM records l WHERE l.instance_id = r.instance_id ORDER BY created_at DESC, remediation_id DESC LIMIT 1)
        ORDER BY created_at, remediation_id
        """));

    /// <summary>Inserts a record as it is (its version kept): for importing the records of an older version.</summary>
    internal bool TryImport(RemediationRecord record) => InTransaction(connection =>
    {
        if (Get(connection, record.RemediationId) is not null
            || (!record.IsFinished && Query(connection, "SELECT body FROM records WHERE instance_id = $instance AND finished = 0", ("$instance", record.InstanceId)).Count > 0))
        {
            return false;
        }
        Write(connection, "INSERT INTO records (remediation_id, instance_id, created_at, version, finished, body) VALUES ($id, $instance, $created, $version, $finished, $body)", record);
        return true;
    });

    private RemediationRecord? Get(SqliteConnection connection, string remediationId) =>
        Query(connection, "SELECT body FROM records WHERE remediation_id = $id", ("$id", remediationId)).FirstOrDefault();

    private static int Write(SqliteConnection connection, string sql, RemediationRecord record, params (string Name, object Value)[] extra)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", record.RemediationId);
        command.Parameters.AddWithValue("$instance", record.InstanceId);
        // Sortable as text: fixed-width UTC.
        command.Parameters.AddWithValue("$created", record.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$version", record.Version);
        command.Parameters.AddWithValue("$finished", record.IsFinished ? 1 : 0);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(record, Json));
        foreach (var (name, value) in extra)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteNonQuery();
    }

    private IReadOnlyList<RemediationRecord> Query(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        using var reader = command.ExecuteReader();
        var records = new List<RemediationRecord>();
        while (reader.Read())
        {
            records.Add(Parse(reader.GetString(0)));
        }
        return records;
    }

    private RemediationRecord Parse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<RemediationRecord>(body, Json) ?? throw new JsonException("the record is the JSON null");
        }
        catch (JsonException e)
        {
            throw new RecordStoreException($"{Path} holds a remediation record that cannot be read ({e.Message}).");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>
    /// <c>BEGIN IMMEDIATE</c> takes the write lock before the first read, so the check and the
    /// write of a create or save are one step for every process on the file.
    /// </summary>
    private T InTransaction<T>(Func<SqliteConnection, T> work) => Run(connection =>
    {
        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            var result = work(connection);
            Execute(connection, "COMMIT;");
            return result;
        }
        catch
        {
            Execute(connection, "ROLLBACK;");
            throw;
        }
    });

    /// <summary>One connection per operation, so no process keeps the file locked between its calls.</summary>
    private T Run<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};");
            return work(connection);
        }
        catch (SqliteException e)
        {
            throw new RecordStoreException(Describe(e));
        }
    }

    private string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        26 or 11 => $"{Path} is not a readable enaremediate record database ({e.Message.TrimEnd('.')}). Move it aside to start with an empty store; nothing was changed.",
        5 or 6 => $"{Path} stayed locked by another enaremediate process for {BusyTimeout.TotalSeconds:0} s; nothing was changed, try again.",
        _ => $"{Path}: {e.Message}",
    };
}
