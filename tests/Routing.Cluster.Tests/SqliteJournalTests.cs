using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Routing.Cluster;
using Xunit;

namespace Routing.Cluster.Tests;

/// <summary>
/// The single-node journal (<c>SqliteJournal</c>) on a real SQLite file: what entities rely on (order, recovery,
/// sequence numbers, deletes), group commit under many concurrent writers, a bad write failing only its own entity,
/// and the file staying readable by Akka.Persistence.Sql (its read journal serves the reports; files written by
/// that plugin before are recovered).
/// </summary>
public sealed class SqliteJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("routing-journal-test-").FullName;
    private string Db => Path.Combine(_dir, "journal.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private ActorSystem NewSystem(string journal = "akka.persistence.journal.sqlite", string snapshots = "akka.persistence.snapshot-store.sqlite") =>
        ActorSystem.Create("journal-" + Guid.NewGuid().ToString("N")[..6], ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = local
            akka.persistence.journal {
              plugin = "{{journal}}"
              sqlite.connection-string = "Data Source={{Db}}"
              sql { provider-name = "SQLite.MS", connection-string = "Data Source={{Db}}", auto-initialize = on }
            }
            akka.persistence.snapshot-store {
              plugin = "{{snapshots}}"
              sqlite.connection-string = "Data Source={{Db}}"
              sql { provider-name = "SQLite.MS", connection-string = "Data Source={{Db}}", auto-initialize = on }
            }
            akka.persistence.query.journal.sql { provider-name = "SQLite.MS", connection-string = "Data Source={{Db}}" }
            """).WithFallback(RoutingCluster.DefaultConfig));

    [Fact]
    public async Task Events_come_back_in_order_after_a_restart_and_numbering_continues()
    {
        using (var sys = NewSystem())
        {
            var a = sys.ActorOf(Recorder.Props("entity-a"));
            for (var i = 1; i <= 5; i++) Assert.Equal(i, await a.Ask<long>(new Recorder.Add($"e{i}"), TimeSpan.FromSeconds(10)));
            await sys.Terminate();
        }
        using (var sys = NewSystem())
        {
            var a = sys.ActorOf(Recorder.Props("entity-a"));
            var state = await a.Ask<Recorder.State>(Recorder.Get.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal(["e1", "e2", "e3", "e4", "e5"], state.Events);
            Assert.Equal(5, state.LastSequenceNr);
            Assert.Equal(6, await a.Ask<long>(new Recorder.Add("e6"), TimeSpan.FromSeconds(10)));
            await sys.Terminate();
        }
    }

    [Fact]
    public async Task Many_concurrent_writers_lose_nothing_and_each_keeps_its_own_order()
    {
        const int entities = 200, each = 20;
        using (var sys = NewSystem())
        {
            var refs = Enumerable.Range(0, entities).Select(i => sys.ActorOf(Recorder.Props($"w-{i}"))).ToList();
            // Every entity writes its events one after another, all entities at once: the writer commits many per batch.
            await Task.WhenAll(refs.Select(async r =>
            {
                for (var n = 1; n <= each; n++) await r.Ask<long>(new Recorder.Add($"n{n}"), TimeSpan.FromSeconds(30));
            }));
            await sys.Terminate();
        }
        using (var c = new SqliteConnection($"Data Source={Db}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*), COUNT(DISTINCT persistence_id) FROM journal WHERE persistence_id LIKE 'w-%'";
            using var r = cmd.ExecuteReader();
            Assert.True(r.Read());
            Assert.Equal(entities * each, r.GetInt64(0));
            Assert.Equal(entities, r.GetInt64(1));
        }
        using (var sys = NewSystem())
        {
            foreach (var i in new[] { 0, 57, 199 })
            {
                var state = await sys.ActorOf(Recorder.Props($"w-{i}")).Ask<Recorder.State>(Recorder.Get.Instance, TimeSpan.FromSeconds(10));
                Assert.Equal(Enumerable.Range(1, each).Select(n => $"n{n}"), state.Events);
            }
            await sys.Terminate();
        }
    }

    [Fact]
    public async Task A_conflicting_write_fails_only_its_own_entity()
    {
        using var sys = NewSystem();
        var entity = sys.ActorOf(Recorder.Props("twin"));
        Assert.Equal(1, await entity.Ask<long>(new Recorder.Add("mine-1"), TimeSpan.FromSeconds(10)));
        // Another writer took sequence number 2 behind the entity's back (what a second incarnation in a split brain
        // would do): the entity's next write collides on (persistence id, sequence number) and must fail.
        using (var c = new SqliteConnection($"Data Source={Db}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                              "SELECT created, 0, persistence_id, 2, message, manifest, identifier, 'other' FROM journal WHERE persistence_id = 'twin'";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }

        var stopped = new TaskCompletionSource<Terminated>();
        sys.ActorOf(Props.Create(() => new Watcher(entity, stopped)));
        var bystanders = Enumerable.Range(0, 20).Select(i => sys.ActorOf(Recorder.Props($"bystander-{i}"))).ToList();
        entity.Tell(new Recorder.Add("mine-2"));
        // Writes of other entities queued at the same moment (very likely the same batch) all succeed.
        var seqs = await Task.WhenAll(bystanders.Select(b => b.Ask<long>(new Recorder.Add("fine"), TimeSpan.FromSeconds(10))));
        Assert.All(seqs, n => Assert.Equal(1, n));
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(20)); // a persist failure stops the entity
        Assert.Equal(2, await bystanders[0].Ask<long>(new Recorder.Add("still fine"), TimeSpan.FromSeconds(10)));

        var replayed = await sys.ActorOf(Recorder.Props("twin")).Ask<Recorder.State>(Recorder.Get.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(["mine-1", "mine-1"], replayed.Events); // its own first event and the other writer's copy of it
        await sys.Terminate();
    }

    [Fact]
    public async Task An_entity_recovers_from_its_latest_snapshot_and_the_events_after_it()
    {
        using (var sys = NewSystem())
        {
            var a = sys.ActorOf(Recorder.Props("snapped"));
            for (var i = 1; i <= 2; i++) await a.Ask<long>(new Recorder.Add($"e{i}"), TimeSpan.FromSeconds(10));
            Assert.True(await a.Ask<bool>(Recorder.Snap.Instance, TimeSpan.FromSeconds(10)));
            await a.Ask<long>(new Recorder.Add("e3"), TimeSpan.FromSeconds(10));
            Assert.True(await a.Ask<bool>(Recorder.Snap.Instance, TimeSpan.FromSeconds(10)));
            await a.Ask<long>(new Recorder.Add("e4"), TimeSpan.FromSeconds(10));
            await sys.Terminate();
        }
        using (var sys = NewSystem())
        {
            var state = await sys.ActorOf(Recorder.Props("snapped")).Ask<Recorder.State>(Recorder.Get.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal(3, state.FromSnapshot); // the newer of the two snapshots
            Assert.Equal(["e1", "e2", "e3", "e4"], state.Events);
            Assert.Equal(4, state.LastSequenceNr);
            await sys.Terminate();
        }
    }

    [Fact]
    public async Task Deleting_events_keeps_the_sequence_number()
    {
        using (var sys = NewSystem())
        {
            var a = sys.ActorOf(Recorder.Props("deleted"));
            for (var i = 1; i <= 3; i++) await a.Ask<long>(new Recorder.Add($"e{i}"), TimeSpan.FromSeconds(10));
            Assert.True(await a.Ask<bool>(new Recorder.DeleteTo(3), TimeSpan.FromSeconds(10)));
            await sys.Terminate();
        }
        using (var sys = NewSystem())
        {
            var a = sys.ActorOf(Recorder.Props("deleted"));
            var state = await a.Ask<Recorder.State>(Recorder.Get.Instance, TimeSpan.FromSeconds(10));
            Assert.Empty(state.Events);
            Assert.Equal(3, state.LastSequenceNr);
            Assert.Equal(4, await a.Ask<long>(new Recorder.Add("e4"), TimeSpan.FromSeconds(10)));
            await sys.Terminate();
        }
    }

    [Fact]
    public async Task The_file_stays_readable_by_Akka_Persistence_Sql_both_ways()
    {
        // Written by Akka.Persistence.Sql (a data file from before this journal) and recovered by ours…
        using (var sys = NewSystem("akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql"))
        {
            var a = sys.ActorOf(Recorder.Props("legacy"));
            await a.Ask<long>(new Recorder.Add("old-1"), TimeSpan.FromSeconds(10));
            Assert.True(await a.Ask<bool>(Recorder.Snap.Instance, TimeSpan.FromSeconds(10)));
            await a.Ask<long>(new Recorder.Add("old-2"), TimeSpan.FromSeconds(10));
            await sys.Terminate();
        }
        using (var sys = NewSystem())
        {
            var a = sys.ActorOf(Recorder.Props("legacy"));
            var state = await a.Ask<Recorder.State>(Recorder.Get.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal(["old-1", "old-2"], state.Events);
            Assert.Equal(1, state.FromSnapshot); // the old plugin's snapshot, read by ours
            Assert.Equal(3, await a.Ask<long>(new Recorder.Add("new-3"), TimeSpan.FromSeconds(10)));

            // …and what ours wrote is served by Akka.Persistence.Sql's read journal (the reports' queries).
            var query = PersistenceQuery.Get(sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            var events = await query.CurrentEventsByPersistenceId("legacy", 0, long.MaxValue)
                .Select(e => (string)e.Event).RunWith(Sink.Seq<string>(), sys.Materializer());
            Assert.Equal(["old-1", "old-2", "new-3"], events);
            var ids = await query.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), sys.Materializer());
            Assert.Contains("legacy", ids);
            await sys.Terminate();
        }
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef target, TaskCompletionSource<Terminated> done)
        {
            Context.Watch(target);
            Receive<Terminated>(t => done.TrySetResult(t));
        }
    }

    /// <summary>Persists strings; answers with the sequence number of each.</summary>
    private sealed class Recorder : UntypedPersistentActor
    {
        public sealed record Add(string Event);
        public sealed record DeleteTo(long SequenceNr);
        public sealed record State(IReadOnlyList<string> Events, long LastSequenceNr, long FromSnapshot = 0);
        public sealed class Snap { public static readonly Snap Instance = new(); }
        public sealed class Get { public static readonly Get Instance = new(); }

        private readonly List<string> _events = [];
        private IActorRef? _deleteReplyTo;
        private IActorRef? _snapReplyTo;
        private long _fromSnapshot;

        public Recorder(string id) => PersistenceId = id;

        public static Props Props(string id) => Akka.Actor.Props.Create(() => new Recorder(id));

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            switch (message)
            {
                case SnapshotOffer { Snapshot: string[] saved } offer:
                    _events.AddRange(saved);
                    _fromSnapshot = offer.Metadata.SequenceNr;
                    break;
                case string e:
                    _events.Add(e);
                    break;
            }
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case Add add:
                    var replyTo = Sender;
                    Persist(add.Event, e =>
                    {
                        _events.Add(e);
                        replyTo.Tell(LastSequenceNr);
                    });
                    break;
                case Get:
                    Sender.Tell(new State([.. _events], LastSequenceNr, _fromSnapshot));
                    break;
                case Snap:
                    _snapReplyTo = Sender;
                    SaveSnapshot(_events.ToArray());
                    break;
                case SaveSnapshotSuccess:
                    _snapReplyTo?.Tell(true);
                    break;
                case SaveSnapshotFailure:
                    _snapReplyTo?.Tell(false);
                    break;
                case DeleteTo d:
                    _deleteReplyTo = Sender;
                    DeleteMessages(d.SequenceNr);
                    break;
                case DeleteMessagesSuccess:
                    _deleteReplyTo?.Tell(true);
                    break;
                case DeleteMessagesFailure:
                    _deleteReplyTo?.Tell(false);
                    break;
            }
        }
    }
}
