using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Persistence;

/// <summary>
/// The single-node snapshot store beside <see cref="SqliteJournal"/>: plain prepared statements on Akka.Persistence.Sql's
/// <c>snapshot</c> table layout (persistence_id, sequence_number, created, snapshot, manifest, serializer_id), so files
/// stay interchangeable with that plugin. Every new entity asks for its latest snapshot before it replays; through
/// linq2db that query cost more CPU than the entity's own events, and it is on the path of every new call.
/// </summary>
public sealed class SqliteSnapshotStore : SnapshotStore
{
    private readonly string _connectionString;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteSnapshotStore(Akka.Configuration.Config config)
    {
        _connectionString = config.GetString("connection-string", "");
        if (string.IsNullOrWhiteSpace(_connectionString))
            throw new Akka.Configuration.ConfigurationException("akka.persistence.snapshot-store.sqlite.connection-string is empty");
        _serialization = Context.System.Serialization;
        RoutingCluster.PrepareSqlite(_connectionString);
        using var c = new SqliteConnection(_connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS [snapshot]
            (
                [persistence_id]  NVarChar(255) NOT NULL,
                [sequence_number] INTEGER       NOT NULL,
                [created]         INTEGER       NOT NULL,
                [snapshot]        VarBinary         NULL,
                [manifest]        NVarChar(500)     NULL,
                [serializer_id]   INTEGER           NULL,
                CONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])
            );
            CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number);
            CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created);
            """;
        cmd.ExecuteNonQuery();
    }

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT sequence_number, created, snapshot, manifest, serializer_id FROM snapshot
            WHERE persistence_id = $p AND sequence_number <= $maxSeq AND sequence_number >= $minSeq AND created <= $maxTs AND created >= $minTs
            ORDER BY sequence_number DESC LIMIT 1
            """;
        Bind(cmd, persistenceId, criteria);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var payload = _serialization.Deserialize((byte[])r.GetValue(2), r.IsDBNull(4) ? 0 : r.GetInt32(4), r.IsDBNull(3) ? "" : r.GetString(3));
        return new SelectedSnapshot(new SnapshotMetadata(persistenceId, r.GetInt64(0), new DateTime(r.GetInt64(1), DateTimeKind.Utc)), payload);
    }

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        var serializer = _serialization.FindSerializerFor(snapshot);
        var bytes = serializer.ToBinary(snapshot);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT OR REPLACE INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id)
            VALUES ($p, $seq, $created, $snapshot, $manifest, $serializer)
            """;
        cmd.Parameters.AddWithValue("$p", metadata.PersistenceId);
        cmd.Parameters.AddWithValue("$seq", metadata.SequenceNr);
        cmd.Parameters.AddWithValue("$created", metadata.Timestamp.ToUniversalTime().Ticks);
        cmd.Parameters.AddWithValue("$snapshot", bytes);
        cmd.Parameters.AddWithValue("$manifest", Akka.Serialization.Serialization.ManifestFor(serializer, snapshot));
        cmd.Parameters.AddWithValue("$serializer", serializer.Identifier);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM snapshot WHERE persistence_id = $p AND sequence_number = $seq";
        cmd.Parameters.AddWithValue("$p", metadata.PersistenceId);
        cmd.Parameters.AddWithValue("$seq", metadata.SequenceNr);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = """
            DELETE FROM snapshot
            WHERE persistence_id = $p AND sequence_number <= $maxSeq AND sequence_number >= $minSeq AND created <= $maxTs AND created >= $minTs
            """;
        Bind(cmd, persistenceId, criteria);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        return c;
    }

    private static void Bind(SqliteCommand cmd, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        cmd.Parameters.AddWithValue("$p", persistenceId);
        cmd.Parameters.AddWithValue("$maxSeq", criteria.MaxSequenceNr);
        cmd.Parameters.AddWithValue("$minSeq", criteria.MinSequenceNr);
        cmd.Parameters.AddWithValue("$maxTs", Ticks(criteria.MaxTimeStamp));
        cmd.Parameters.AddWithValue("$minTs", Ticks(criteria.MinTimestamp ?? DateTime.MinValue));
    }

    private static long Ticks(DateTime t) => t == DateTime.MaxValue || t == DateTime.MinValue ? t.Ticks : t.ToUniversalTime().Ticks;
}
