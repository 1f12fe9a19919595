using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Persistence;

/// <summary>
/// The single-node journal: SQLite, written by one connection that commits whatever is pending as one transaction
/// (group commit). Akka.Persistence.Sql on SQLite cost about 0.4 ms of CPU per event here (a linq2db data connection,
/// mapping schema and insert per row, and one commit per small batch), which capped a node at ~2.5k events/s, 200
/// calls/s. This plugin keeps that plugin's table layout (<c>journal</c>: ordering, created, deleted, persistence_id,
/// sequence_number, message, manifest, identifier, writer_uuid), so Akka.Persistence.Sql's snapshot store and read
/// journal (the reports' queries) work on the same file, and a file written by either plugin is read by the other.
/// <para>
/// Writes: <see cref="WriteMessagesAsync"/> serializes the events on the journal actor and queues them; a dedicated
/// writer thread takes every queued request (up to <c>max-batch-size</c> rows), inserts them with one prepared
/// statement inside <c>BEGIN IMMEDIATE</c>…<c>COMMIT</c>, then completes them. When a batch fails, each request of it is
/// written again alone, so one bad request (e.g. a duplicate sequence number from a second writer) fails only its
/// own entity. Reads (replay, highest sequence number) use their own pooled connections: WAL lets them run beside
/// the writer.
/// </para>
/// </summary>
public sealed class SqliteJournal : AsyncWriteJournal
{
    private const string Columns = "created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid";

    private readonly string _connectionString;
    private readonly int _maxBatch;
    private readonly string _synchronous;
    private readonly string _writerUuid = Guid.NewGuid().ToString("N");
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;

    public SqliteJournal(Akka.Configuration.Config config)
    {
        _connectionString = config.GetString("connection-string", "");
        if (string.IsNullOrWhiteSpace(_connectionString))
            throw new ConfigurationException("akka.persistence.journal.sqlite.connection-string is empty");
        _maxBatch = Math.Max(1, config.GetInt("max-batch-size", 1000));
        _synchronous = config.GetString("synchronous", "full").ToUpperInvariant() switch
        {
            "NORMAL" => "NORMAL",
            "OFF" => "OFF",
            _ => "FULL",
        };
        _serialization = Context.System.Serialization;
        RoutingCluster.PrepareSqlite(_connectionString);
        CreateSchema(_connectionString);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-journal-writer" };
        _writer.Start();
    }

    /// <summary>The journal table (and the tag table) exactly as Akka.Persistence.Sql's <c>auto-initialize</c> makes them.</summary>
    public static void CreateSchema(string connectionString)
    {
        using var c = new SqliteConnection(connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS [journal]
            (
                [ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
                [created]         INTEGER        NOT NULL,
                [deleted]         Bit            NOT NULL,
                [persistence_id]  NVarChar(255)  NOT NULL,
                [sequence_number] INTEGER        NOT NULL,
                [message]         VarBinary      NOT NULL,
                [manifest]        NVarChar(500)      NULL,
                [identifier]      INTEGER            NULL,
                [writer_uuid]     NVarChar(128)      NULL
            );
            CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number);
            CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created);
            CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number);
            CREATE TABLE IF NOT EXISTS [tags]
            (
                [ordering_id]    INTEGER       NOT NULL,
                [tag]            NVarChar(64)  NOT NULL,
                [sequence_nr]    INTEGER       NOT NULL,
                [persistence_id] NVarChar(255) NOT NULL,
                CONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])
            );
            CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr_idx ON tags (persistence_id, sequence_nr);
            CREATE INDEX IF NOT EXISTS tags_tag_idx ON tags (tag);
            """;
        cmd.ExecuteNonQuery();
    }

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        // A payload that cannot be serialized rejects its AtomicWrite only (the entity is told, and keeps running).
        var results = new List<Exception?>();
        var rows = new List<Row>();
        var created = DateTime.UtcNow.Ticks;
        foreach (var write in messages)
        {
            var payload = (IImmutableList<IPersistentRepresentation>)write.Payload;
            try
            {
                var mine = new List<Row>(payload.Count);
                foreach (var p in payload)
                {
                    var serializer = _serialization.FindSerializerFor(p.Payload);
                    var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, p.Payload);
                    mine.Add(new Row(p.PersistenceId, p.SequenceNr, serializer.ToBinary(p.Payload), manifest, serializer.Identifier, created));
                }
                rows.AddRange(mine);
                results.Add(null);
            }
            catch (Exception e)
            {
                results.Add(e);
            }
        }
        IImmutableList<Exception?> outcome = results.ToImmutableList();
        if (rows.Count == 0) return Task.FromResult(outcome);
        var request = new Request(rows, null);
        if (!_requests.Writer.TryWrite(request)) return Task.FromException<IImmutableList<Exception?>>(new InvalidOperationException("the SQLite journal is stopping"));
        return Await(request, outcome);

        static async Task<IImmutableList<Exception?>> Await(Request r, IImmutableList<Exception?> o)
        {
            await r.Done.Task.ConfigureAwait(false);
            return o;
        }
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        // Through the writer, so it is ordered with the writes. The highest row stays (marked deleted), so the
        // highest sequence number survives deleting everything.
        var request = new Request([], (persistenceId, toSequenceNr));
        if (!_requests.Writer.TryWrite(request)) return Task.FromException(new InvalidOperationException("the SQLite journal is stopping"));
        return request.Done.Task;
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0) return;
        await using var c = new SqliteConnection(_connectionString);
        await c.OpenAsync().ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT sequence_number, message, manifest, identifier, writer_uuid FROM journal
            WHERE persistence_id = $p AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0
            ORDER BY sequence_number LIMIT $max
            """;
        cmd.Parameters.AddWithValue("$p", persistenceId);
        cmd.Parameters.AddWithValue("$from", fromSequenceNr);
        cmd.Parameters.AddWithValue("$to", toSequenceNr);
        cmd.Parameters.AddWithValue("$max", max);
        await using var reader = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var seq = reader.GetInt64(0);
            var bytes = (byte[])reader.GetValue(1);
            var manifest = reader.IsDBNull(2) ? "" : reader.GetString(2);
            var serializerId = reader.IsDBNull(3) ? 0 : reader.GetInt32(3);
            var writer = reader.IsDBNull(4) ? "" : reader.GetString(4);
            var payload = _serialization.Deserialize(bytes, serializerId, manifest);
            recoveryCallback(new Persistent(payload, seq, persistenceId, manifest, false, ActorRefs.NoSender, writer));
        }
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        await using var c = new SqliteConnection(_connectionString);
        await c.OpenAsync().ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT MAX(sequence_number) FROM journal WHERE persistence_id = $p";
        cmd.Parameters.AddWithValue("$p", persistenceId);
        var value = await cmd.ExecuteScalarAsync().ConfigureAwait(false);
        return value is long n ? Math.Max(n, fromSequenceNr) : fromSequenceNr;
    }

    // Akka.Persistence.Sql's read journal asks the write journal `IsInitialized` (an internal message) before its first
    // query and waits for its internal `Initialized` reply; both are internal, hence found by name.
    private static readonly Type? IsInitializedType = typeof(Akka.Persistence.Sql.Query.SqlReadJournal).Assembly.GetType("Akka.Persistence.Sql.Utility.IsInitialized");
    private static readonly object? InitializedReply = typeof(Akka.Persistence.Sql.Query.SqlReadJournal).Assembly
        .GetType("Akka.Persistence.Sql.Utility.Initialized")?.GetField("Instance", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null);

    protected override bool ReceivePluginInternal(object message)
    {
        if (InitializedReply is null || message.GetType() != IsInitializedType) return false;
        Sender.Tell(InitializedReply);
        return true;
    }

    protected override void PostStop()
    {
        _requests.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(10));
        base.PostStop();
    }

    private void WriteLoop()
    {
        using var c = new SqliteConnection(_connectionString);
        c.Open();
        using (var pragma = c.CreateCommand())
        {
            pragma.CommandText = $"PRAGMA synchronous={_synchronous};";
            pragma.ExecuteNonQuery();
        }
        using var insert = c.CreateCommand();
        insert.CommandText = $"INSERT INTO journal ({Columns}) VALUES ($created, 0, $p, $seq, $message, $manifest, $identifier, $writer)";
        var pCreated = insert.Parameters.Add("$created", SqliteType.Integer);
        var pId = insert.Parameters.Add("$p", SqliteType.Text);
        var pSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var pMessage = insert.Parameters.Add("$message", SqliteType.Blob);
        var pManifest = insert.Parameters.Add("$manifest", SqliteType.Text);
        var pIdentifier = insert.Parameters.Add("$identifier", SqliteType.Integer);
        insert.Parameters.AddWithValue("$writer", _writerUuid);

        var batch = new List<Request>();
        var reader = _requests.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            var rows = 0;
            while (rows < _maxBatch && reader.TryRead(out var r))
            {
                batch.Add(r);
                rows += Math.Max(1, r.Rows.Count);
            }
            try
            {
                Commit(batch);
                foreach (var r in batch) r.Done.TrySetResult();
            }
            catch when (batch.Count > 1)
            {
                // Find the culprit: every request alone.
                foreach (var r in batch)
                {
                    try
                    {
                        Commit([r]);
                        r.Done.TrySetResult();
                    }
                    catch (Exception e)
                    {
                        r.Done.TrySetException(e);
                    }
                }
            }
            catch (Exception e)
            {
                foreach (var r in batch) r.Done.TrySetException(e);
            }
        }

        void Commit(IReadOnlyList<Request> requests)
        {
            using var tx = c.BeginTransaction(deferred: false);
            insert.Transaction = tx;
            foreach (var r in requests)
            {
                if (r.Delete is var (pid, to))
                {
                    Delete(c, tx, pid, to);
                    continue;
                }
                foreach (var row in r.Rows)
                {
                    pCreated.Value = row.Created;
                    pId.Value = row.PersistenceId;
                    pSeq.Value = row.SequenceNr;
                    pMessage.Value = row.Message;
                    pManifest.Value = row.Manifest;
                    pIdentifier.Value = row.SerializerId;
                    insert.ExecuteNonQuery();
                }
            }
            tx.Commit();
        }
    }

    private static void Delete(SqliteConnection c, SqliteTransaction tx, string persistenceId, long toSequenceNr)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            UPDATE journal SET deleted = 1 WHERE persistence_id = $p AND sequence_number <= $to;
            DELETE FROM journal WHERE persistence_id = $p AND sequence_number <= $to
              AND sequence_number < (SELECT MAX(sequence_number) FROM journal WHERE persistence_id = $p);
            """;
        cmd.Parameters.AddWithValue("$p", persistenceId);
        cmd.Parameters.AddWithValue("$to", toSequenceNr);
        cmd.ExecuteNonQuery();
    }

    private sealed record Row(string PersistenceId, long SequenceNr, byte[] Message, string Manifest, int SerializerId, long Created);

    private sealed class Request(IReadOnlyList<Row> rows, (string PersistenceId, long To)? delete)
    {
        public IReadOnlyList<Row> Rows { get; } = rows;
        public (string PersistenceId, long To)? Delete { get; } = delete;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
